/// `s3://bucket/key` (or `s3://bucket/prefix/`), validated enough to reject obvious typos.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public let bucket: String
    public let key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Parses an `s3://` URI; the error text says what is wrong with it.
    public init(uri: String) throws {
        guard uri.hasPrefix("s3://") else {
            throw AWSError.configuration("'\(uri)' is not an S3 URI; expected s3://bucket/key")
        }
        let rest = uri.dropFirst("s3://".count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw AWSError.configuration("'\(uri)' has no object key; expected s3://bucket/key")
        }
        let bucket = String(rest[..<slash])
        let key = String(rest[rest.index(after: slash)...])
        guard Self.isValidBucketName(bucket) else {
            throw AWSError.configuration("'\(bucket)' in '\(uri)' is not a valid S3 bucket name (3-63 characters: a-z, 0-9, '.', '-')")
        }
        self.init(bucket: bucket, key: key)
    }

    public var description: String { "s3://\(bucket)/\(key)" }

    static func isValidBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
        return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == 0x2E || $0 == 0x2D } && !name.contains("..")
    }

    /// Buckets usable as a host-name label (no dots, so TLS wildcard certificates match).
    var isVirtualHostable: Bool { !bucket.contains(".") }
}
