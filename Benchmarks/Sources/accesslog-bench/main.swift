// accesslog-bench: measures the per-row cost of the AccessLog module in release mode —
// NDJSON line decode + @message wrapper decode + the row rules (README "Access-log rows") — on one core.
//
//     accesslog-bench <events.ndjson> [repeats]
//
// Prints one JSON object: rows, kept/skipped/malformed counts, best wall time, rows/s, MB/s.
// Benchmarks/bench_accesslog.sh runs it next to the Python reference on the same file.
import AccessLog
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: accesslog-bench <events.ndjson> [repeats]\n".utf8))
    exit(2)
}
let repeats = arguments.count >= 3 ? max(1, Int(arguments[2]) ?? 5) : 5
let bytes: [UInt8]
do {
    bytes = Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))
} catch {
    FileHandle.standardError.write(Data("accesslog-bench: cannot read \(arguments[1]): \(error.localizedDescription)\n".utf8))
    exit(1)
}

let parser = AccessLogParser()

/// One full pass; returns the counts so the work cannot be optimised away.
/// CPU time of this thread: unlike wall time it does not grow when other processes share the
/// core, which they do on the 2-core build machine.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func pass(decodeOnly: Bool) -> (RowCounts, Int, Duration, Double) {
    var counts = RowCounts()
    var checksum = 0
    let clock = ContinuousClock()
    let cpuStart = threadCPUSeconds()
    let elapsed = clock.measure {
        bytes.withUnsafeBytes { buffer in
            InsightsRowDecoder.forEachLine(in: buffer) { _, line in
                do {
                    let row = try InsightsRowDecoder.decodeLine(line)
                    if decodeOnly {
                        checksum &+= row.message?.utf8.count ?? 0
                        counts.rows += 1
                        return
                    }
                    let outcome = parser.parse(row)
                    if case .kept(let kept) = outcome { checksum &+= Int(kept.timestampNanos & 0xFF) }
                    counts.count(outcome)
                } catch {
                    counts.malformed += 1
                }
            }
        }
    }
    return (counts, checksum, elapsed, threadCPUSeconds() - cpuStart)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func best(decodeOnly: Bool) -> (RowCounts, Double, Double) {
    var bestSeconds = Double.infinity
    var bestCPU = Double.infinity
    var counts = RowCounts()
    for _ in 0..<repeats {
        let (passCounts, _, elapsed, cpu) = pass(decodeOnly: decodeOnly)
        counts = passCounts
        bestSeconds = min(bestSeconds, seconds(elapsed))
        bestCPU = min(bestCPU, cpu)
    }
    return (counts, bestSeconds, bestCPU)
}

let (fullCounts, fullSeconds, fullCPU) = best(decodeOnly: false)
let (_, decodeSeconds, _) = best(decodeOnly: true)
let total = fullCounts.rows + fullCounts.skipped + fullCounts.malformed
let megabytes = Double(bytes.count) / 1_000_000
print(
    """
    {"rows": \(total), "kept": \(fullCounts.rows), "skipped": \(fullCounts.skipped), \
    "malformed": \(fullCounts.malformed), "bytes": \(bytes.count), \
    "seconds": \(fullSeconds), "rows_per_second": \(Int(Double(total) / fullSeconds)), \
    "mb_per_second": \(Int(megabytes / fullSeconds)), "cpu_seconds": \(fullCPU), \
    "rows_per_cpu_second": \(Int(Double(total) / fullCPU)), \
    "decode_only_rows_per_second": \(Int(Double(total) / decodeSeconds))}
    """)
