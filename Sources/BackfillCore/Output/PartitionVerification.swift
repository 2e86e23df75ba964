import AccessLog
import AWS
import Catalog
import Crypto
import Foundation
import Parquet

/// `verify`: whether every exported hour is still, at every destination, the file the catalog
/// recorded. What is observed of a file (`ObservedFile`) is gathered by I/O; what is wrong
/// with it (`problems`) is decided here without any.
public enum PartitionVerification {
    /// What was found at one recorded location.
    public struct ObservedFile: Sendable {
        public var exists = false
        public var size: Int64?
        /// SHA-256 of the bytes (hex), when they were read (local files; S3 with `--deep`).
        public var sha256Hex: String?
        /// The SHA-256 S3 stored at upload (base64), when it has one.
        public var storedChecksumBase64: String?
        /// The footer, or why it could not be read (nil: not read).
        public var footer: Result<ParquetFooter, ParquetFooterError>?
        /// The location could not be checked at all (network, permissions).
        public var unreachable: String?

        public init() {}
    }

    /// Every problem of one file, one line each ("" never): compared with what the catalog
    /// recorded when the hour was exported.
    public static func problems(_ recorded: PartitionListing, dataset: Dataset, timestampUnit: TimestampUnit, observed: ObservedFile) -> [String] {
        if let unreachable = observed.unreachable { return ["cannot be checked: \(unreachable)"] }
        guard observed.exists else { return ["missing"] }
        var problems: [String] = []
        if let size = observed.size, size != recorded.bytes {
            problems.append("size \(size) bytes, recorded \(recorded.bytes)")
        }
        if let sha = observed.sha256Hex, sha != recorded.sha256 {
            problems.append("sha256 \(sha), recorded \(recorded.sha256)")
        }
        if let stored = observed.storedChecksumBase64, let recordedBase64 = base64(hex: recorded.sha256), stored != recordedBase64 {
            problems.append("stored checksum \(stored), recorded sha256 \(recordedBase64) (base64)")
        }
        switch observed.footer {
        case nil:
            break
        case .failure(let error):
            problems.append("Parquet footer unreadable: \(error)")
        case .success(let footer):
            if footer.numRows != recorded.rows {
                problems.append("\(footer.numRows) rows, recorded \(recorded.rows)")
            }
            let expected = DatasetParquet.schema(dataset, timestampUnit: timestampUnit).footerSchemaDescription
            if !footer.schemaDescription.elementsEqual(expected, by: ==) {
                let found = footer.schemaDescription.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
                problems.append("schema differs from the dataset's: \(found)")
            }
            if let minNs = recorded.minTimestampNanos, let maxNs = recorded.maxTimestampNanos {
                let want = (timestampUnit.value(nanos: minNs), timestampUnit.value(nanos: maxNs))
                if let range = footer.int64Range(column: "timestamp") {
                    if range != want {
                        problems.append("timestamps \(range.min)…\(range.max) (\(timestampUnit.rawValue)), recorded \(want.0)…\(want.1)")
                    }
                } else if recorded.rows > 0 {
                    problems.append("no timestamp statistics")
                }
            }
        }
        return problems
    }

    static func base64(hex: String) -> String? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return Data(bytes).base64EncodedString()
    }

    // MARK: Observing

    /// A local file: its size, its bytes' SHA-256 (read in pieces) and its footer.
    public static func observeLocal(path: String) -> ObservedFile {
        var observed = ObservedFile()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return observed }
        observed.exists = true
        observed.size = (attributes[.size] as? NSNumber)?.int64Value
        guard let handle = FileHandle(forReadingAtPath: path) else {
            observed.unreachable = "cannot open \(path)"
            return observed
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let piece = try? handle.read(upToCount: 1 << 20), !piece.isEmpty { hasher.update(data: piece) }
        observed.sha256Hex = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        observed.footer = Result { () throws(ParquetFooterError) in try ParquetFooterReader.read(path: path) }
        return observed
    }

    /// An S3 object: HEAD (size, stored checksum), then the footer from a ranged read of its
    /// tail — or, `deep`, every byte (size, SHA-256 and footer from what was read).
    public static func observeS3(_ location: S3Location, s3: S3Client, deep: Bool) async -> ObservedFile {
        var observed = ObservedFile()
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
                observed.footer = try await footer(location, size: info.size, s3: s3)
            }
        } catch {
            observed.unreachable = BackfillExecutor.oneLine(error)
        }
        return observed
    }

    /// The footer from the object's tail: 64 KiB is enough for an hour's file; a longer footer
    /// is read with a second request of exactly its size.
    static func footer(_ location: S3Location, size: Int64, s3: S3Client) async throws -> Result<ParquetFooter, ParquetFooterError> {
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
