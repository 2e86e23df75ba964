import Foundation

/// Paths and subprocess helpers the AWS tests share.
enum TestSupport {
    /// The package root, found from this file's location (Tests/AWSTests/TestSupport.swift).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `PULP_BACKFILL_PYTHON`, else `<package root>/.venv/bin/python`.
    static var python: String {
        if let env = ProcessInfo.processInfo.environment["PULP_BACKFILL_PYTHON"], !env.isEmpty { return env }
        return packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    struct ProcessFailure: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "exit \(status): \(stderr)" }
    }

    /// Runs `executable arguments…` to completion and returns stdout; throws with stderr on failure.
    static func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // stderr goes to a file so a chatty child can never block on a full pipe.
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("aws-test-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errFile)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = (try? Data(contentsOf: errFile)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw ProcessFailure(status: process.terminationStatus, stderr: String(decoding: errData, as: UTF8.self))
        }
        return outData
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aws-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

