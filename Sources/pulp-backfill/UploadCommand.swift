import AWS
import ArgumentParser
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
        let location: S3Location
        do { location = try S3Location(uri: destination) } catch { throw CommandFailure.exit(for: error) }
        if location.key.isEmpty || location.key.hasSuffix("/") {
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
            let stored = try await AWSHTTPClient.withClient { http in
                let session = try await AWSSession.make(settings: aws.settings, s3: s3.settings, http: http, s3Only: true)
                let client = try session.s3(multipartThreshold: multipartThresholdMiB << 20, partSize: partSizeMiB << 20)
                try await client.uploadFile(path: source, to: location,
                                            contentType: source.hasSuffix(".parquet") ? "application/vnd.apache.parquet" : "application/octet-stream")
                return try await client.headObject(location)
            }
            guard let stored, stored.size == size else {
                throw CommandFailure.exit("uploaded \(location) but S3 reports \(stored.map { "\($0.size)" } ?? "no") bytes instead of \(size)", code: 1)
            }
            print("uploaded \(source) (\(size) bytes) to \(location)")
        } catch {
            throw CommandFailure.exit(for: error)
        }
    }
}
