import ArgumentParser
import InsightsSimulator

#if canImport(Glibc)
import Glibc
#endif

/// Hidden: times the corpus generator alone on the calling thread (one core) for the benchmark.
struct GenerateBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-benchmark",
        abstract: "Generate [start, end) in memory, hour by hour, and print {\"events\":N,\"seconds\":S}.",
        shouldDisplay: false
    )

    @Option var start = "2026-02-04T00:00:00Z"
    @Option var end = "2026-02-05T00:00:00Z"
    @OptionGroup var corpus: CorpusOptions

    func run() throws {
        let startMs = try parseTimeFlag(start, flag: "--start")
        let endMs = try parseTimeFlag(end, flag: "--end")
        let source = try corpus.makeSource(startMs: startMs, endMs: endMs)
        let cpuBegan = threadCPUSeconds()
        let clock = ContinuousClock()
        let began = clock.now
        var count = 0
        var bytes = 0
        var cursor = startMs
        while cursor < endMs {
            let next = min(endMs, cursor + 3_600_000)
            for event in source.events(from: cursor, to: next) {
                count += 1
                bytes += event.message.utf8.count
            }
            cursor = next
        }
        let elapsed = clock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpu = threadCPUSeconds() - cpuBegan
        StandardStreams.printLine(#"{"events":\#(count),"messageBytes":\#(bytes),"seconds":\#(seconds),"cpuSeconds":\#(cpu)}"#)
    }
}

/// CPU time of the calling thread: the one-core figure, unaffected by other processes.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
