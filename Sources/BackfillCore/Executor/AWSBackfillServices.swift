import AccessLog
import AWS
import Catalog
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

    public func footer(of key: String) async throws -> ParquetFooter {
        let location = objectLocation(key)
        guard let info = try await s3.headObject(location) else { throw AWSError.invalidResponse("\(location) disappeared") }
        return try await PartitionVerification.footer(location, size: info.size, s3: s3).get()
    }

    public func sha256(of key: String) async throws -> String? {
        guard let stored = try await s3.headObject(objectLocation(key), checksum: true)?.checksumSHA256,
              let bytes = Data(base64Encoded: stored), bytes.count == 32 else { return nil }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    public func store(file path: String, key: String) async throws -> String {
        let location = objectLocation(key)
        try await s3.uploadFile(path: path, to: location, contentType: "application/vnd.apache.parquet")
        return location.description
    }
}

/// The services of a run against AWS (or a stand-in at `--endpoint-url`): one AWS session per
/// region of the catalog's backfills, one pacing shared by all their queries.
public enum AWSBackfillServices {
    public struct Options: Sendable {
        public var aws: AWSSettings
        public var s3: S3Settings
        public var startQueryRate: Double = 5
        public var getQueryResultsRate: Double = 5
        public var writeEmpty = false
        /// S3 destinations with credentials of their own, by canonical URI; the others use `s3`.
        public var destinationS3: [String: S3Settings] = [:]
        /// Queries running longer are stopped and retried.
        public var queryTimeout: Duration = .seconds(15 * 60)
        public var workDirectory: String
        public init(aws: AWSSettings, s3: S3Settings, workDirectory: String) {
            self.aws = aws
            self.s3 = s3
            self.workDirectory = workDirectory
        }
    }

    /// Resolves credentials and clients for every region `backfills` use; configuration
    /// problems (unknown profile, no credentials) surface here, before any chunk is claimed.
    public static func make(for backfills: [Backfill], catalog: Catalog, http: AWSHTTPClient,
                            options: Options, pacing: InsightsPacing) async throws -> BackfillServices {
        var logsByRegion: [String: CloudWatchLogsClient] = [:]
        var s3ByRegion: [String: S3Client] = [:]
        var s3ByDestination: [String: S3Client] = [:]  // "region uri": a destination's own credentials
        for region in Set(backfills.map(\.spec.awsRegion)) {
            var settings = options.aws
            settings.region = region  // the backfill's region, as planned
            let s3URIs = Set(backfills.filter { $0.spec.awsRegion == region }.flatMap(\.spec.destinations).filter { $0.hasPrefix("s3://") })
            let session = try await AWSSession.make(settings: settings, s3: options.s3, http: http)
            logsByRegion[region] = try session.logs(retryPolicy: AWSRetryPolicy.none)
            if s3URIs.contains(where: { options.destinationS3[$0] == nil }) { s3ByRegion[region] = try session.s3() }
            for uri in s3URIs.sorted() {
                guard let own = options.destinationS3[uri] else { continue }
                s3ByDestination["\(region) \(uri)"] = try await AWSSession.make(settings: settings, s3: own, http: http).s3()
            }
        }
        let logs = logsByRegion, s3 = s3ByRegion, ownS3 = s3ByDestination
        return BackfillServices(
            queryRunner: { backfill in
                guard let client = logs[backfill.spec.awsRegion] else {
                    throw AWSError.configuration("no session for region \(backfill.spec.awsRegion)")
                }
                var runner = CloudWatchQueryRunner(logs: client, pacing: pacing)
                runner.queryTimeout = options.queryTimeout
                return runner
            },
            compactor: { backfill in
                var destinations: [any PartitionDestination] = []
                for uri in backfill.spec.destinations {
                    switch try OutputDestination.parse(uri) {
                    case .local(let directory):
                        destinations.append(LocalDirectoryDestination(directory: directory))
                    case .s3(let bucket, let prefix):
                        guard let client = ownS3["\(backfill.spec.awsRegion) \(uri)"] ?? s3[backfill.spec.awsRegion] else {
                            throw AWSError.configuration("no S3 client for \(uri)")
                        }
                        destinations.append(S3PrefixDestination(s3: client, bucket: bucket, prefix: prefix))
                    }
                }
                return HourCompactor(
                    catalog: catalog, dataset: try Dataset(backfill.spec), destinations: destinations,
                    layout: HourFileLayout(rawValue: backfill.spec.layout) ?? .hive,
                    compression: ParquetCompression(rawValue: backfill.spec.compression) ?? .snappy,
                    writeEmpty: options.writeEmpty, workDirectory: options.workDirectory,
                    timestampUnit: TimestampUnit(rawValue: backfill.spec.timestampUnit) ?? .ns)
            })
    }
}
