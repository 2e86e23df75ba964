import ArgumentParser
import Foundation

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

    static func printError(_ message: String) {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("pulp-backfill: error: \(oneLine)\n".utf8))
    }

    static func notice(_ message: String) {
        FileHandle.standardError.write(Data("pulp-backfill: \(message)\n".utf8))
    }
}
