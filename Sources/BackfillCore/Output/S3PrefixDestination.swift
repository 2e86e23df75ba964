import AWS
import Crypto
import Foundation
import Parquet

/// An S3 prefix: each hour is one object, uploaded with a checksum (multipart when large,
/// aborted on failure), so the key holds the previous object or the new one, never half.
public struct S3PrefixDestination: PartitionDestination {
    public let s3: S3Client
    public let bucket: String
    public let prefix: String
    public var uri: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }

    public init(s3: S3Client, bucket: String, prefix: String) {
        self.s3 = s3
        self.bucket = bucket
        self.prefix = prefix
    }

    public func location(of key: String) -> String { objectLocation(key).description }

    func objectLocation(_ key: String) -> S3Location { S3Location(bucket: bucket, key: prefix.isEmpty ? key : "\(prefix)/\(key)") }

    public func existingFiles(_ keys: [String], dayPrefixes: [String]) async throws -> [String: Int64] {
        var listed: [String: Int64] = [:]
        for day in Set(dayPrefixes).sorted() {
            let under = prefix.isEmpty ? day : "\(prefix)/\(day)"
            for (key, size) in try await s3.listObjects(bucket: bucket, prefix: under) {
                listed[prefix.isEmpty ? key : String(key.dropFirst(prefix.count + 1))] = size
            }
        }
        return listed.filter { Set(keys).contains($0.key) }
    }

    public func size(of key: String) async throws -> Int64? {
        try await s3.headObject(objectLocation(key))?.size
    }

    public func footer(of key: String) async throws -> ParquetFooter {
        let location = objectLocation(key)
        guard let info = try await s3.headObject(location) else { throw AWSError.invalidResponse("\(location) disappeared") }
        return try await footer(location, size: info.size).get()
    }

    public func sha256(of key: String) async throws -> String? {
        guard let stored = try await s3.headObject(objectLocation(key), checksum: true)?.checksumSHA256,
              let bytes = Data(base64Encoded: stored), bytes.count == 32 else { return nil }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    public func store(file path: String, key: String, contentType: String) async throws -> String {
        let location = objectLocation(key)
        try await s3.uploadFile(path: path, to: location, contentType: contentType)
        return location.description
    }

    /// HEAD (size, stored checksum), then the footer from a ranged read of the object's tail —
    /// or, `deep`, every byte (size, SHA-256 and footer from what was read).
    public func observe(key: String, deep: Bool) async -> PartitionVerification.ObservedFile {
        let location = objectLocation(key)
        var observed = PartitionVerification.ObservedFile()
        do {
            guard let info = try await s3.headObject(location, checksum: true) else { return observed }
            observed.exists = true
            observed.size = info.size
            observed.storedChecksumBase64 = info.checksumSHA256
            if deep {
                let bytes = try await s3.getObject(location)
                observed.size = Int64(bytes.count)
                observed.sha256Hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                observed.footer = Result { () throws(ParquetFooterError) in try ParquetFooterReader.read(bytes: bytes) }
            } else {
                observed.footer = try await footer(location, size: info.size)
            }
        } catch {
            observed.unreachable = BackfillExecutor.oneLine(error)
        }
        return observed
    }

    /// Puts a probe object under the prefix and deletes it.
    public func probe() async throws -> String {
        let probe = objectLocation(".pulp-backfill-doctor-\(UUID().uuidString)")
        try await s3.putObject(probe, body: Array("pulp-backfill doctor probe\n".utf8))
        try await s3.deleteObject(probe)
        return "writable (probe object put and deleted)"
    }

    /// The footer from the object's tail: 64 KiB is enough for an hour's file; a longer footer
    /// is read with a second request of exactly its size.
    func footer(_ location: S3Location, size: Int64) async throws -> Result<ParquetFooter, ParquetFooterError> {
        guard size >= 12 else { return .failure(.tooShort(Int(size))) }
        var tail = try await s3.getObjectTail(location, count: Int(min(size, 64 * 1024)))
        guard tail.count >= 8, tail.suffix(4).elementsEqual(Array("PAR1".utf8)) else {
            return .failure(.badMagic("tail is not PAR1"))
        }
        let n = tail.count
        let length = Int(UInt32(tail[n - 8]) | UInt32(tail[n - 7]) << 8 | UInt32(tail[n - 6]) << 16 | UInt32(tail[n - 5]) << 24)
        guard length > 0, Int64(length) <= size - 12 else { return .failure(.badFooterLength(length: UInt32(length), fileSize: Int(size))) }
        if length + 8 > tail.count { tail = try await s3.getObjectTail(location, count: length + 8) }
        let footerBytes = Array(tail[(tail.count - 8 - length)..<(tail.count - 8)])
        return Result { () throws(ParquetFooterError) in try ParquetFooterReader.decode(footer: footerBytes) }
    }
}

extension S3PrefixDestination: DestinationKind {
    public static var scheme: String? { "s3" }
    public static var written: String { "s3:// URIs" }
    public static var awsServices: [AWSService] { [.s3] }
    public static var takesCredentials: Bool { true }

    /// `s3://bucket[/prefix]` with S3's bucket naming rules; the prefix without trailing slashes
    /// and without empty segments.
    public static func canonicalURI(_ text: String, currentDirectory: String) throws(OutputDestination.Invalid) -> String {
        let (bucket, rest) = try split(text)
        var prefix = rest
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if prefix.hasPrefix("/") || prefix.contains("//") {
            throw OutputDestination.Invalid(value: text, reason: "the prefix contains an empty path segment (//)")
        }
        return prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
    }

    /// The bucket, and the object's key as written.
    public static func fileLocation(_ text: String, currentDirectory: String) throws(OutputDestination.Invalid) -> (uri: String, key: String) {
        let (bucket, key) = try split(text)
        return ("s3://\(bucket)", key)
    }

    /// The bucket (checked) and what follows its "/".
    private static func split(_ text: String) throws(OutputDestination.Invalid) -> (bucket: String, rest: String) {
        guard text.hasPrefix("s3://") else {
            throw OutputDestination.Invalid(value: text, reason: "an S3 destination is written s3://bucket/prefix")
        }
        let rest = text.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        if let problem = bucketNameProblem(bucket) { throw OutputDestination.Invalid(value: text, reason: problem) }
        return (bucket, String(rest.dropFirst(bucket.count).dropFirst()))  // the "/" after the bucket
    }

    /// S3 general purpose bucket naming rules; nil when the name is fine.
    static func bucketNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "missing bucket name" }
        guard (3...63).contains(name.count) else { return "bucket name must be 3 to 63 characters" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard name.allSatisfy({ allowed.contains($0) }) else {
            return "bucket name may only contain lowercase letters, digits, dots and hyphens"
        }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "bucket name must begin and end with a letter or digit"
        }
        if name.contains("..") { return "bucket name must not contain two adjacent dots" }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 && parts.allSatisfy({ Int($0).map { (0...255).contains($0) } ?? false }) {
            return "bucket name must not be formatted as an IP address"
        }
        if name.hasPrefix("xn--") || name.hasPrefix("sthree-") { return "bucket name uses a reserved prefix" }
        if name.hasSuffix("-s3alias") || name.hasSuffix("--ol-s3") { return "bucket name uses a reserved suffix" }
        return nil
    }

    public static func prepare(uri: String, region: String?, clients: DestinationClients) async throws {
        try await clients.prepareS3(uri: uri, region: region)
    }

    public static func open(uri: String, region: String?, clients: DestinationClients) throws -> any PartitionDestination {
        let path = uri.dropFirst("s3://".count)
        let bucket = String(path.prefix { $0 != "/" })
        return S3PrefixDestination(s3: try clients.s3Client(uri: uri, region: region), bucket: bucket,
                                   prefix: String(path.dropFirst(bucket.count).dropFirst()))
    }
}
