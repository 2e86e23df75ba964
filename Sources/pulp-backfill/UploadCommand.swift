import AWS
import ArgumentParser
import BackfillCore
import Foundation

/// `pulp-backfill upload`: the seed's `upload-parquet` — copy one local file to S3, verified.
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a local file (e.g. a Parquet export) to s3://bucket/key with integrity checks."
    )

    @Option(help: "Local file to upload.")
    var source: String

    @Option(help: "Destination S3 URI, s3://bucket/key.")
    var destination: String

    @Option(name: .customLong("multipart-threshold-mib"), help: "Files at least this large are uploaded in parts.")
    var multipartThresholdMiB: Int = 16

    @Option(name: .customLong("part-size-mib"), help: "Multipart part size (minimum 5).")
    var partSizeMiB: Int = 16

    @OptionGroup var aws: AWSOptions
    @OptionGroup var s3: S3Options

    func run() async throws {
        let target: (destination: OutputDestination, key: String)
        do {
            target = try OutputDestination.parseFile(destination)
        } catch let invalid as OutputDestination.Invalid {
            throw CommandFailure.usage("--destination \(destination): \(invalid.reason); expected s3://bucket/key")
        }
        guard !target.destination.isLocal else {
            throw CommandFailure.usage("--destination \(destination) is not an S3 URI; expected s3://bucket/key")
        }
        if target.key.isEmpty || target.key.hasSuffix("/") {
            throw CommandFailure.exit("--destination \(destination) names a prefix; give the full object key (s3://bucket/key)", code: 2)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: source) else {
            throw CommandFailure.exit("--source \(source) is not a readable file", code: 2)
        }
        guard multipartThresholdMiB >= 5, partSizeMiB >= 5 else {
            throw CommandFailure.exit("--multipart-threshold-mib and --part-size-mib must be at least 5", code: 2)
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: source))?[.size] as? NSNumber)?.int64Value ?? 0
        do {
            let (location, stored) = try await AWSHTTPClient.withClient { http in
                let clients = DestinationClients(http: http, aws: aws.settings, s3: s3.settings, s3Only: true,
                                                 multipartThreshold: multipartThresholdMiB << 20, partSize: partSizeMiB << 20)
                try await target.destination.prepare(region: nil, clients: clients)
                let store = try target.destination.open(region: nil, clients: clients)
                let location = try await store.store(
                    file: source, key: target.key,
                    contentType: source.hasSuffix(".parquet") ? "application/vnd.apache.parquet" : "application/octet-stream")
                return (location, try await store.size(of: target.key))
            }
            guard let stored, stored == size else {
                throw CommandFailure.exit("uploaded \(location) but S3 reports \(stored.map { "\($0)" } ?? "no") bytes instead of \(size)", code: 1)
            }
            print("uploaded \(source) (\(size) bytes) to \(location)")
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }
}
