/// Percent-encoding as SigV4 and S3 define it: only the RFC 3986 unreserved characters
/// (`A-Z a-z 0-9 - _ . ~`) stay literal; everything else becomes `%XX` (upper-case hex) of its
/// UTF-8 bytes. A space is `%20`, never `+`; a `+` is `%2B`.
public enum AWSPercentEncoding {
    /// Encodes `text`; with `keepSlash`, `/` stays literal (used for S3 object keys in paths).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes `key=value` pairs as an `application/x-www-form-urlencoded` body or query string
    /// in the form AWS query-protocol services and SigV4 both accept (pairs in the given order).
    public static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
