import Foundation
import BackfillCore
import Basics
import Logging

/// swift-log handler of the CLI: one line per event on stderr, as text
/// (`pulp-backfill: warning: chunk attempt failed; retrying chunk=… error=…`) or, with
/// `--log-format json`, as a JSON object for log collectors. On a terminal a text line first
/// clears the live progress line it would otherwise run into.
struct StderrLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let json: Bool
    private let interactive = isatty(STDERR_FILENO) == 1

    init(level: Logger.Level, json: Bool) {
        self.logLevel = level
        self.json = json
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let line: String
        if json {
            var fields = ["\"time\":\(JSONText.string(UTCFormat.iso(millis: Int64(Date().timeIntervalSince1970 * 1000))))", "\"level\":\(JSONText.string(event.level.rawValue))",
                          "\"message\":\(JSONText.string(event.message.description))"]
            for (key, value) in all.sorted(by: { $0.key < $1.key }) {
                fields.append("\(JSONText.string(key)):\(JSONText.string(value.description))")
            }
            line = "{" + fields.joined(separator: ",") + "}\n"
        } else {
            let details = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = (interactive ? "\r\u{1B}[K" : "") + "pulp-backfill: \(event.level): \(event.message)\(details.isEmpty ? "" : " " + details)\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Installs the handler for the whole process (swift-log allows this once; only
    /// `PulpBackfill.setUpLogging` calls it).
    static func bootstrap(verbose: Bool, json: Bool) {
        LoggingSystem.bootstrap { _ in StderrLogHandler(level: verbose ? .debug : .notice, json: json) }
    }
}
