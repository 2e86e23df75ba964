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

/// Deterministic generator so a failing case can be reproduced from its index.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
