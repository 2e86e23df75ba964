import AccessLog
import AWS
import ArgumentParser
import BackfillCore
import Catalog
import Foundation

/// `pulp-backfill verify`: is every exported hour still, at every destination, the file the
/// catalog recorded? One line per problem; exit 1 if any. `--repair` plans the bad hours again.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every exported hour at every destination against the catalog (size, sha256, footer, rows, schema, min/max timestamp).",
        discussion: """
            Local files are read whole (size, SHA-256, Parquet footer). S3 objects are checked by HEAD (size and the \
            SHA-256 S3 stored at upload) and a ranged read of the footer; --deep reads every byte instead. One line per \
            problem on stdout; exit 1 if there is any. --repair plans the bad or missing hours again: the next `run` \
            re-exports them to every destination.
            """)

    @OptionGroup var hours: HourRangeOptions
    @Option(help: "Only this dataset's backfills (default: every dataset).")
    var dataset: DatasetName?
    @Flag(help: "Read every byte of S3 objects (SHA-256 of the content), not only their size, stored checksum and footer.")
    var deep = false
    @Flag(help: "Plan the hours with problems again; the next `run` re-exports them.")
    var repair = false
    @OptionGroup var catalogOptions: CatalogOptions
    @OptionGroup var aws: AWSOptions
    @OptionGroup var s3: S3Options

    func run() async throws {
        let (fromMillis, toMillis) = try hours.resolve()
        let catalog: Catalog
        let partitions: [PartitionListing]
        let backfills: [Int64: Backfill]
        do {
            catalog = try Catalog(path: catalogOptions.path, mode: .mustExist)
            partitions = try catalog.partitions(fromMillis: fromMillis, toMillis: toMillis, dataset: dataset?.rawValue)
            backfills = Dictionary(uniqueKeysWithValues: try catalog.listBackfills().map { ($0.id, $0) })
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
        defer { try? catalog.close() }

        let (awsSettings, s3Settings, deep) = (aws.settings, s3.settings, deep)
        let own = try s3.destinationSettings()
        let problems: [(PartitionListing, String, String)] = try await AWSHTTPClient.withClient { http in
            // Each backfill's destinations with the credentials a run would use for them.
            let clients = DestinationClients(http: http, aws: awsSettings, s3: s3Settings, own: own)
            var opened: [Int64: [any PartitionDestination]] = [:]
            for id in Set(partitions.map(\.backfillID)).sorted() {
                guard let backfill = backfills[id] else { continue }
                var destinations: [any PartitionDestination] = []
                for uri in backfill.spec.destinations {
                    // One that no longer parses (a directory replaced by a file) is looked at file by file below.
                    guard let destination = try? OutputDestination.parse(uri) else { continue }
                    do {
                        try await destination.prepare(region: backfill.spec.awsRegion, clients: clients)
                        destinations.append(try destination.open(region: backfill.spec.awsRegion, clients: clients))
                    } catch {
                        throw CommandFailure.exit(for: error)
                    }
                }
                opened[id] = destinations
            }
            var found: [(PartitionListing, String, String)] = []
            for partition in partitions {
                let unit = backfills[partition.backfillID].flatMap { TimestampUnit(rawValue: $0.spec.timestampUnit) } ?? .ns
                let dataset = Dataset.named(partition.dataset) ?? .access()
                let region = backfills[partition.backfillID]?.spec.awsRegion
                for uri in partition.uris {
                    let observed: PartitionVerification.ObservedFile
                    // The destination the file is under (the longest match), else the file's own location.
                    if let destination = opened[partition.backfillID]?.filter({ uri.hasPrefix($0.uri + "/") })
                        .max(by: { $0.uri.count < $1.uri.count }) {
                        observed = await destination.observe(key: String(uri.dropFirst(destination.uri.count + 1)), deep: deep)
                    } else {
                        let file: (destination: OutputDestination, key: String)
                        do {
                            file = try OutputDestination.parseFile(uri)
                        } catch let invalid as OutputDestination.Invalid {
                            found.append((partition, uri, "cannot be checked: \(invalid.reason)"))
                            continue
                        }
                        do {
                            try await file.destination.prepare(region: region, clients: clients)
                            observed = await (try file.destination.open(region: region, clients: clients)).observe(key: file.key, deep: deep)
                        } catch {
                            throw CommandFailure.exit(for: error)
                        }
                    }
                    for problem in PartitionVerification.problems(partition, dataset: dataset, timestampUnit: unit, observed: observed) {
                        found.append((partition, uri, problem))
                    }
                }
            }
            return found
        }

        let files = partitions.reduce(0) { $0 + $1.uris.count }
        for (partition, uri, problem) in problems {
            print("\(UTCFormat.iso(millis: partition.hourStartMillis)) \(uri): \(problem)")
        }
        let badHours = Array(Set(problems.map { HourKey(backfillID: $0.0.backfillID, hourStartMillis: $0.0.hourStartMillis) }))
            .sorted { ($0.hourStartMillis, $0.backfillID) < ($1.hourStartMillis, $1.backfillID) }
        if problems.isEmpty {
            print("verified: \(partitions.count) hour(s), \(files) file(s), no problems")
            return
        }
        if repair {
            do {
                try catalog.reopenHours(badHours)
            } catch let error as CatalogError {
                throw CommandFailure.runtime(error.description)
            }
            CommandFailure.notice("repair: \(badHours.count) hour(s) planned again; `pulp-backfill run --catalog \(catalogOptions.path)` re-exports them")
        }
        throw CommandFailure.runtime("\(problems.count) problem(s) in \(badHours.count) of \(partitions.count) hour(s)")
    }
}
