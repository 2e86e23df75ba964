import AccessLog
import AWS
import ArgumentParser
import BackfillCore
import Catalog
import Foundation
import Parquet

/// `pulp-backfill export`: the seed exporter's `export-access-logs`, same flags, same result —
/// one Parquet file for the whole range at `--output-path` (a local file or s3://bucket/key),
/// nothing written when there are no rows — on the backfill engine (5-minute chunks,
/// concurrent queries, no truncation at 10,000 rows). Its catalog is a temporary file.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a time range into ONE Parquet file (the seed exporter's export-access-logs).")

    @OptionGroup var range: QueryRangeOptions
    @Option(help: "Local file path or S3 URI (s3://bucket/key).")
    var outputPath: String
    @Option(help: "As the upstream export-content-logs: python, rpm or maven (the same as --dataset content-TYPE).")
    var contentType: ContentType?

    /// `--content-type`'s values.
    enum ContentType: String, CaseIterable, ExpressibleByArgument {
        case python, rpm, maven
        var dataset: DatasetName { DatasetName(rawValue: "content-" + rawValue)! }
    }

    /// The dataset asked for, by `--dataset` or `--content-type` (which must agree).
    func dataset() throws -> DatasetName {
        guard let contentType else { return range.dataset }
        guard range.dataset == .access || range.dataset == contentType.dataset else {
            throw CommandFailure.usage("--content-type \(contentType.rawValue) and --dataset \(range.dataset.rawValue) disagree")
        }
        return contentType.dataset
    }
    @OptionGroup var runOptions: RunOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var s3: S3Options

    func run() async throws {
        let codec = range.compression
        // Where the file goes: a local file is written in place, any other in the work directory
        // first and then stored at its destination.
        let target: (destination: OutputDestination, key: String)
        do {
            target = try OutputDestination.parseFile(outputPath)
        } catch let invalid as OutputDestination.Invalid {
            throw CommandFailure.usage(invalid.description)
        }
        if !target.destination.isLocal {
            if target.key.isEmpty { throw CommandFailure.usage("--output-path \(outputPath): an S3 output needs a key (s3://bucket/key)") }
        } else {
            if FileContents.kind(of: outputPath) == .directory {
                throw CommandFailure.usage("--output-path \(outputPath) is a directory; export writes one file (use `backfill` for hourly files)")
            }
            let parent = AtomicFile.split(outputPath).directory
            guard FileContents.kind(of: parent) == .directory else {
                throw CommandFailure.usage("--output-path \(outputPath): directory \(parent) does not exist")
            }
        }

        _ = try dataset()  // a usage error before anything is created
        let work = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let catalogPath = work + "/export.sqlite"
        let dataset = try dataset()
        let plan = try range.resolve(awsRegion: aws.regionOptions.resolve().name, outputPaths: [work], dataset: dataset)

        let catalog: Catalog
        let backfillID: Int64
        do {
            backfillID = try BackfillPlanning.apply(plan, catalogPath: catalogPath).backfill.id
            catalog = try Catalog(path: catalogPath, mode: .mustExist)
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
        defer { try? catalog.close() }
        let outcome = try await BackfillRun.execute(catalog: catalog, catalogPath: catalogPath, backfillID: backfillID,
                                                    options: runOptions, aws: aws, s3: s3, compactHours: false)
        // Export writes one file from the whole range: every chunk must be done.
        guard outcome.summary.isComplete else {
            let left = outcome.summary.failedChunks + outcome.summary.otherUnfinished + outcome.summary.heldByOthers.reduce(0) { $0 + $1.chunks }
            throw CommandFailure.runtime("\(left) chunk(s) not finished (failed after \(runOptions.maxAttempts) attempts, or held by another process); nothing was written (run again)")
        }

        let localPath = target.destination.isLocal ? outputPath : work + "/export.parquet"
        let written: (rows: Int64, bytes: Int64)
        do {
            written = try RangeFileExport.write(catalog: catalog, backfillID: backfillID,
                                                  dataset: dataset.dataset(filter: PathFilter(plan.spec)), compression: codec,
                                                  timestampUnit: range.timestampUnit, to: localPath)
        } catch {
            throw CommandFailure.runtime("cannot write \(outputPath): \(error)")
        }
        guard written.rows > 0 else {
            print("no rows in range; nothing written to \(outputPath)")
            return
        }
        if !target.destination.isLocal {
            do {
                try await AWSHTTPClient.withClient { http in
                    let clients = DestinationClients(http: http, aws: aws.settings, s3: s3.settings, s3Only: true)
                    try await target.destination.prepare(region: nil, clients: clients)
                    _ = try await target.destination.open(region: nil, clients: clients).store(file: localPath, key: target.key)
                }
            } catch {
                throw CommandFailure.exit(for: error)
            }
        }
        print("exported \(written.rows) rows (\(written.bytes) bytes) to \(outputPath)")
    }

    static func makeTemporaryDirectory() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/pulp-backfill-export-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CommandFailure.runtime("cannot create a temporary directory in \(base): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }
}
