import Crypto

/// SHA-256 of events as `insights-sim expected` prints them (each NDJSON line plus "\n"), so a
/// test can pin a corpus range to a known digest without holding the text.
public enum CorpusDigest {
    public static func sha256Hex(ofExpectedLines events: [LogEvent]) -> String {
        var hasher = SHA256()
        for event in events {
            hasher.update(data: Array(event.ndjsonLine.utf8))
            hasher.update(data: [UInt8(ascii: "\n")])
        }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in hasher.finalize() {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
