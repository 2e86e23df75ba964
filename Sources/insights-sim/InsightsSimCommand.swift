import ArgumentParser
import InsightsSimulator

#if canImport(Glibc)
import Glibc
#endif

// `insights-sim`: a CloudWatch Logs Insights stand-in on loopback (default subcommand `serve`)
// and `expected`, which prints the ground-truth events of a range.

struct InsightsSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights-sim",
        abstract: "A CloudWatch Logs Insights stand-in with quotas, latency, faults and a seeded Pulp corpus.",
        subcommands: [ServeCommand.self, ExpectedCommand.self, GenerateBenchmarkCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}

/// Errors that are the user's fault (exit 2) vs the environment's (exit 1).
struct UsageError: Error, CustomStringConvertible {
    let description: String
}

struct RuntimeError: Error, CustomStringConvertible {
    let description: String
}

@main
enum Main {
    static func main() async {
        let exitCode: Int32
        do {
            var command = try InsightsSim.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exitCode = 0
        } catch let error as UsageError {
            exitCode = fail(error.description, code: 2)
        } catch let error as RuntimeError {
            exitCode = fail(error.description, code: 1)
        } catch {
            let code = InsightsSim.exitCode(for: error)
            if code == .success {
                // --help / --version: ArgumentParser's full text is the intended output.
                print(InsightsSim.fullMessage(for: error))
                exitCode = 0
            } else if error is CancellationError {
                exitCode = 0
            } else {
                // Any parse or validation failure: one line, exit 2 (no usage dump).
                let message = InsightsSim.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
                exitCode = fail(message, code: 2)
            }
        }
        exit(exitCode)
    }

    static func fail(_ message: String, code: Int32) -> Int32 {
        var line = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        line = line.replacingNewlines()
        StandardStreams.printError("insights-sim: \(line)")
        return code
    }
}

extension String {
    func replacingNewlines() -> String { split(whereSeparator: \.isNewline).joined(separator: " ") }
}
