// `--events FILE`: a fixed NDJSON corpus, one Insights row object per line.

public struct EventFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

public struct EventFileSource: EventSource {
    /// Sorted by timestamp; ties keep file order.
    let allEvents: [LogEvent]

    public init(events: [LogEvent]) {
        allEvents = events.enumerated().sorted {
            ($0.element.timestampMs, $0.offset) < ($1.element.timestampMs, $1.offset)
        }.map(\.element)
    }

    /// Parses NDJSON text. Each non-empty line must be an object with a string `@timestamp`
    /// and `@message`; `@ptr` is synthesized (stable, from the line number) when absent.
    public init(ndjson text: String, name: String = "events file") throws(EventFileError) {
        var events: [LogEvent] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(String(trimmed)) } catch {
                throw EventFileError(description: "\(name) line \(lineNumber): \(error)")
            }
            guard case let .object(members) = value else {
                throw EventFileError(description: "\(name) line \(lineNumber): not a JSON object")
            }
            guard let ts = value["@timestamp"]?.stringValue, let ms = InsightsTime.parse(ts) else {
                throw EventFileError(description: "\(name) line \(lineNumber): missing or unreadable @timestamp")
            }
            guard let message = value["@message"]?.stringValue else {
                throw EventFileError(description: "\(name) line \(lineNumber): missing string @message")
            }
            var extras: [(String, String)] = []
            for (key, member) in members where !["@timestamp", "@message", "@ptr", "@logStream"].contains(key) {
                guard let s = member.stringValue else {
                    throw EventFileError(description: "\(name) line \(lineNumber): field \(key) is not a string")
                }
                extras.append((key, s))
            }
            let ptr = value["@ptr"]?.stringValue ?? PointerCodec.pointer(seed: 0, second: 0, index: UInt64(lineNumber))
            events.append(LogEvent(timestampMs: ms, message: message, ptr: ptr,
                                   logStream: value["@logStream"]?.stringValue, extraFields: extras))
        }
        self.init(events: events)
    }

    public func events(from startMs: Int64, to endMs: Int64) -> [LogEvent] {
        guard startMs < endMs else { return [] }
        let lo = firstIndex(atOrAfter: startMs)
        let hi = firstIndex(atOrAfter: endMs)
        return Array(allEvents[lo..<hi])
    }

    private func firstIndex(atOrAfter ms: Int64) -> Int {
        var lo = 0, hi = allEvents.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if allEvents[mid].timestampMs < ms { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// `@ptr` values: opaque, base64, unique per (seed, second, index) and stable across runs.
enum PointerCodec {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// "CmAKJgoi" + base64 of 18 bytes: second (8, big-endian), index (4), seed tag (6).
    static func pointer(seed: UInt64, second: Int64, index: UInt64) -> String {
        let s = UInt64(bitPattern: second)
        let tag = SeededRandom.mix(seed)
        @inline(__always) func byte(_ i: Int) -> UInt8 {
            switch i {
            case 0..<8: return UInt8(truncatingIfNeeded: s >> UInt64(56 - 8 * i))
            case 8..<12: return UInt8(truncatingIfNeeded: index >> UInt64(24 - 8 * (i - 8)))
            default: return UInt8(truncatingIfNeeded: tag >> UInt64(40 - 8 * (i - 12)))
            }
        }
        return String(unsafeUninitializedCapacity: 32) { out in
            let prefix: StaticString = "CmAKJgoi"
            for i in 0..<8 { out[i] = prefix.utf8Start[i] }
            var o = 8
            for group in 0..<6 {
                let n = UInt32(byte(3 * group)) << 16 | UInt32(byte(3 * group + 1)) << 8 | UInt32(byte(3 * group + 2))
                out[o] = alphabet[Int(n >> 18 & 63)]; out[o + 1] = alphabet[Int(n >> 12 & 63)]
                out[o + 2] = alphabet[Int(n >> 6 & 63)]; out[o + 3] = alphabet[Int(n & 63)]
                o += 4
            }
            return o
        }
    }
}
