import AWS
import ArgumentParser
import BackfillCore
import Basics
import Foundation
import Synchronization

/// One-line errors with the exit codes the CLI promises: 2 for usage errors (what was typed
/// is wrong), 1 for runtime errors (files, permissions, network). Never a stack trace.
enum CommandFailure {
    static func usage(_ message: String) -> ExitCode {
        printError(message)
        return ExitCode(2)
    }

    static func runtime(_ message: String) -> ExitCode {
        printError(message)
        return ExitCode(1)
    }

    static func exit(_ message: String, code: Int32) -> ExitCode {
        printError(message)
        return ExitCode(code)
    }

    /// Maps any error to its one line and exit code: AWS configuration problems are usage
    /// errors (2), everything else a runtime failure (1).
    static func exit(for error: Error) -> ExitCode {
        if let exit = error as? ExitCode { return exit }
        if let aws = error as? AWSError {
            return Self.exit(aws.description, code: aws.kind == .configuration ? 2 : 1)
        }
        return Self.exit(String(describing: error), code: 1)
    }

    /// With `--log-format json` every stderr line is a JSON object, these included.
    private static let json = Mutex(false)
    static func useJSONLines(_ on: Bool) { json.withLock { $0 = on } }

    static func printError(_ message: String) { write(level: "error", message) }

    static func notice(_ message: String) { write(level: nil, message) }

    private static func write(level: String?, _ message: String) {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        let line: String
        if json.withLock({ $0 }) {
            let time = UTCFormat.iso(millis: Int64(Date().timeIntervalSince1970 * 1000))
            line = "{\"time\":\(JSONText.string(time)),\"level\":\(JSONText.string(level ?? "notice")),\"message\":\(JSONText.string(oneLine))}\n"
        } else {
            // On a terminal, first clear the live progress line this one would run into.
            let clear = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""
            line = clear + "pulp-backfill: \(level.map { $0 + ": " } ?? "")\(oneLine)\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
