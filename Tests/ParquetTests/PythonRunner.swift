// Runs the project's Python (env PULP_BACKFILL_PYTHON, else <package root>/.venv/bin/python).
import Foundation

enum PythonRunner {
    static var packageRoot: URL {
        // Tests/ParquetTests/PythonRunner.swift → package root is three levels up.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var interpreter: String {
        if let path = ProcessInfo.processInfo.environment["PULP_BACKFILL_PYTHON"], !path.isEmpty { return path }
        return packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `script` with `stdin` as standard input and returns standard output.
    static func run(script: String, stdin: Data) throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parquet-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("script.py")
        let inputURL = directory.appendingPathComponent("stdin.json")
        let outputURL = directory.appendingPathComponent("stdout.json")
        let errorURL = directory.appendingPathComponent("stderr.txt")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        try stdin.write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)

        // Files instead of pipes: large outputs cannot dead-lock a full pipe buffer.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [scriptURL.path]
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()
        let output = try Data(contentsOf: outputURL)
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            throw Failure(description: "python exited \(process.terminationStatus): \(stderr.suffix(2000))")
        }
        return output
    }
}
