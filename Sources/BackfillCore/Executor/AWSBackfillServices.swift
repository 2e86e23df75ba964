import AccessLog
import AWS
import Catalog
import Foundation
import Parquet

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
        // Every destination of every backfill gets its client now (S3 credentials included),
        // opened per backfill by `compactor` below.
        let clients = DestinationClients(http: http, aws: options.aws, s3: options.s3, own: options.destinationS3)
        var logsByRegion: [String: CloudWatchLogsClient] = [:]
        for region in Set(backfills.map(\.spec.awsRegion)) {
            // The backfill's region, as planned; its destinations' default S3 client shares the session.
            let session = try await clients.session(region: region)
            logsByRegion[region] = try session.logs(retryPolicy: AWSRetryPolicy.none)
            for uri in Set(backfills.filter { $0.spec.awsRegion == region }.flatMap(\.spec.destinations)).sorted() {
                try await OutputDestination.prepare(uri: uri, region: region, clients: clients)
            }
        }
        let logs = logsByRegion
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
                let destinations = try backfill.spec.destinations.map { uri in
                    try OutputDestination.parse(uri).open(region: backfill.spec.awsRegion, clients: clients)
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
