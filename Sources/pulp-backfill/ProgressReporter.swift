import BackfillCore
import Basics
import Foundation

/// The live view of a run on stderr: on a terminal one line rewritten in place every second;
/// otherwise (logs of a pod, a CI job) a line every few seconds, as text or JSON.
struct ProgressReporter: Sendable {
    let progress: RunProgress
    let json: Bool
    let interactive = isatty(STDERR_FILENO) == 1

    /// Reports until cancelled (bounded: a week of ticks).
    func run() async {
        let period: Duration = interactive && !json ? .seconds(1) : .seconds(5)
        for _ in 0..<604_800 {
            do { try await Task.sleep(for: period) } catch { break }
            emit(await progress.snapshot(), final: false)
        }
    }

    func emit(_ s: RunProgress.Snapshot, final: Bool) {
        let text: String
        if json {
            text = "{\"event\":\"\(final ? "summary" : "progress")\",\"chunks_done\":\(s.chunksDone),\"chunks_failed\":\(s.chunksFailed),"
                + "\"chunks_total\":\(s.totalChunks),\"rows\":\(s.rows),\"rows_per_second\":\(Int(s.rowsPerSecond)),"
                + "\"in_flight\":\(s.inFlight),\"throttles\":\(s.throttles),\"hours_exported\":\(s.hoursCompacted),"
                + "\"hours_failed\":\(s.hoursFailed),\"chunks_taken_over\":\(s.chunksTakenOver),"
                + "\"waiting\":\(s.waiting.map { JSONText.string($0) } ?? "null"),"
                + "\"elapsed_seconds\":\(Int(s.elapsedSeconds)),\"eta_seconds\":\(s.etaSeconds.map { String(Int($0)) } ?? "null")}\n"
        } else {
            let eta = s.etaSeconds.map { " · ETA " + Self.duration($0) } ?? ""
            let line = "chunks \(s.chunksDone)/\(s.totalChunks)\(s.chunksFailed > 0 ? " (\(s.chunksFailed) failed)" : "") · rows \(s.rows) · "
                + "\(Int(s.rowsPerSecond)) rows/s · in flight \(s.inFlight) · throttles \(s.throttles) · hours \(s.hoursCompacted)"
                + (s.hoursFailed > 0 ? " (\(s.hoursFailed) failed)" : "") + eta + (s.waiting.map { " · " + $0 } ?? "")
            text = interactive ? "\r\u{1B}[K" + line + (final ? "\n" : "") : line + "\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
