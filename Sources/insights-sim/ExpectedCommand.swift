import ArgumentParser
import InsightsSimulator

#if canImport(Glibc)
import Glibc
#endif

/// `insights-sim expected --start T --end T`: the exact events of [start, end) as NDJSON,
/// byte for byte the rows a query without `fields` returns for them. (Declared the way
/// ArgumentParser wants every command, so it looks like `pulp-backfill`'s commands.)
struct ExpectedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expected",
        abstract: "Print the events of [start, end) as NDJSON (the ground truth for tests)."
    )

    @Option(help: "Range start (inclusive): ISO 8601, 'YYYY-MM-DD HH:MM:SS(.fff)' or epoch seconds.")
    var start: String

    @Option(help: "Range end (exclusive).")
    var end: String

    @OptionGroup var corpus: CorpusOptions

    func run() async throws {
        let startMs = try parseTimeFlag(start, flag: "--start")
        let endMs = try parseTimeFlag(end, flag: "--end")
        guard startMs <= endMs else { throw UsageError(description: "--start must not be after --end") }
        let source = try corpus.makeSource(startMs: startMs, endMs: endMs)
        // An hour at a time, so months of corpus never sit in memory.
        var cursor = startMs
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        while cursor < endMs {
            let next = min(endMs, cursor + 3_600_000)
            for event in source.events(from: cursor, to: next) {
                out.append(contentsOf: event.ndjsonLine.utf8)
                out.append(UInt8(ascii: "\n"))
                if out.count >= 1 << 20 { try flush(&out) }
            }
            cursor = next
        }
        try flush(&out)
    }

    private func flush(_ out: inout [UInt8]) throws {
        guard !out.isEmpty else { return }
        guard StandardStreams.write(out, to: 1) else { throw RuntimeError(description: "cannot write to stdout") }
        out.removeAll(keepingCapacity: true)
    }
}
