import AccessLog
import Catalog
import Foundation
import Parquet

/// `verify`: whether every exported hour is still, at every destination, the file the catalog
/// recorded. What is observed of a file (`ObservedFile`) is gathered by each destination's
/// `observe`; what is wrong with it (`problems`) is decided here without any I/O.
public enum PartitionVerification {
    /// What was found at one recorded location.
    public struct ObservedFile: Sendable {
        public var exists = false
        public var size: Int64?
        /// SHA-256 of the bytes (hex), when they were read (local files; S3 with `--deep`).
        public var sha256Hex: String?
        /// The SHA-256 S3 stored at upload (base64), when it has one.
        var storedChecksumBase64: String?
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
}
