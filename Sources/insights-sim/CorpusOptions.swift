import ArgumentParser
import InsightsSimulator

#if canImport(Glibc)
import Glibc
#endif

/// Flags that choose the corpus; `serve` and `expected` share them so both see the same events.
struct CorpusOptions: ParsableArguments {
    @Option(name: .customLong("events"), help: "Serve this NDJSON file (one Insights row object per line) instead of the generated corpus.")
    var eventsFile: String?

    @Option(help: "Seed of the generated corpus.")
    var seed: UInt64 = 42

    @Option(name: .customLong("events-per-hour"), help: "Average generated events per hour (diurnal ±50 %, plus bursts above 10,000 per 5 minutes when ≥ 1000).")
    var eventsPerHour: Double = 20000

    @Option(name: .customLong("burst-every"), help: "One 5-minute window in N is a burst window (0 = no bursts).")
    var burstEvery: Int = 24

    @Option(name: .customLong("content-per-hour"), help: ArgumentHelp(
        "Also generate N pulp-content download lines per hour on average (0 = none, the default).",
        discussion: "JSON-wrapped like the API lines, kubernetes.container_name \"pulp-content\": wheels, RPMs, Maven files and paths no content dataset keeps; request_time from 2026-07-17 on. Same daily curve; 6x in burst windows when N >= 1000. The API lines stay exactly as without it."))
    var contentPerHour: Double = 0

    @Flag(name: .customLong("historical-shapes"), help: ArgumentHelp(
        "Write API lines in the shape of their date (off by default: today's shape everywhere).",
        discussion: "Before 2026-01-06 'pulp [cid]: HOST - USER [time] ...' without labels or x_forwarded_for; before 2026-01-21 'user:... org_id:...' without x_forwarded_for; and one line in ten wrapped in the production format's parentheses '(pulp [cid]: ... )'."))
    var historicalShapes = false

    func validateCorpus() throws {
        guard eventsPerHour >= 0, eventsPerHour <= 50_000_000 else { throw UsageError(description: "--events-per-hour must be between 0 and 50000000") }
        guard burstEvery >= 0 else { throw UsageError(description: "--burst-every must be ≥ 0") }
        guard contentPerHour >= 0, contentPerHour <= 50_000_000 else { throw UsageError(description: "--content-per-hour must be between 0 and 50000000") }
        if eventsFile != nil && (contentPerHour > 0 || historicalShapes) {
            throw UsageError(description: "--content-per-hour and --historical-shapes shape the generated corpus; they cannot be used with --events")
        }
    }

    /// The event source for a corpus living in [startMs, endMs).
    func makeSource(startMs: Int64, endMs: Int64) throws -> any EventSource {
        try validateCorpus()
        if let eventsFile {
            let text: String
            do { text = try readWholeFile(eventsFile) } catch let error as RuntimeError {
                throw UsageError(description: error.description)
            }
            do { return try EventFileSource(ndjson: text, name: eventsFile) } catch {
                throw UsageError(description: error.description)
            }
        }
        return PulpCorpusGenerator(.init(seed: seed, startMs: startMs, endMs: endMs, eventsPerHour: eventsPerHour, burstEvery: burstEvery,
                                         contentPerHour: contentPerHour, historicalShapes: historicalShapes))
    }
}

func parseTimeFlag(_ text: String, flag: String) throws -> Int64 {
    guard let ms = InsightsTime.parse(text) else {
        throw UsageError(description: "\(flag): cannot read '\(text)' (use 2026-02-04T14:00:00Z, '2026-02-04 14:00:00' or epoch seconds)")
    }
    return ms
}

func readWholeFile(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else { throw RuntimeError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
        if n < buffer.count {
            if ferror(file) != 0 { throw RuntimeError(description: "cannot read \(path)") }
            break
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
