import ArgumentParser
import BackfillCore
import Basics
import Catalog
import Foundation

/// `pulp-backfill catalog`: one line per exported hourly partition.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List exported hourly partitions: hour, rows, bytes, destination URIs, sha256, min/max timestamp, exported at.")

    @OptionGroup var hours: HourRangeOptions
    @Option(help: "Only partitions of this log group.")
    var cloudwatchGroup: String?
    @Option(help: "Only partitions of this dataset.")
    var dataset: DatasetName?
    @Option(help: "table, json or csv.")
    var format: Format = .table
    @OptionGroup var catalogOptions: CatalogOptions

    /// `--format`'s values.
    enum Format: String, CaseInsensitiveArgument {
        case table, json, csv
    }

    func run() async throws {
        let (fromMillis, toMillis) = try hours.resolve()
        let partitions: [PartitionListing]
        do {
            let catalog = try Catalog(path: catalogOptions.path, mode: .mustExist)
            defer { try? catalog.close() }
            partitions = try catalog.partitions(fromMillis: fromMillis, toMillis: toMillis, logGroup: cloudwatchGroup,
                                                dataset: dataset?.rawValue)
        } catch let error as CatalogError {
            throw CommandFailure.runtime(error.description)
        }
        let out: String
        switch format {
        case .json: out = PartitionFormatting.json(partitions) + "\n"
        case .csv: out = PartitionFormatting.csv(partitions)
        case .table: out = PartitionFormatting.table(partitions)
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

/// `--from`/`--to` of the commands that look at exported hours (`catalog`, `verify`).
struct HourRangeOptions: ParsableArguments {
    @Option(help: "Only hours that end after this time (ISO 8601 or relative).")
    var from: String?
    @Option(help: "Only hours that start before this time (ISO 8601 or relative).")
    var to: String?

    /// The hour range in milliseconds; an hour counts when it overlaps [from, to), so
    /// `--from 10:30` still includes hour 10. Bad times are usage errors (exit 2).
    func resolve(now: Date = Date()) throws -> (from: Int64?, to: Int64?) {
        let fromMillis: Int64?, toMillis: Int64?
        do {
            fromMillis = try from.map { Catalog.hourStart(try TimeExpression.parseMillis($0, now: now)) }
            toMillis = try to.map { try TimeExpression.parseMillis($0, now: now) }
        } catch let error as TimeExpression.ParseError {
            throw CommandFailure.usage(error.description)
        }
        if let fromMillis, let toMillis, toMillis <= fromMillis {
            throw CommandFailure.usage("--to must be after --from")
        }
        return (fromMillis, toMillis)
    }
}

/// Renders partitions as the three `catalog` formats.
enum PartitionFormatting {
    static let columns = ["hour", "rows", "bytes", "uris", "sha256", "min_timestamp", "max_timestamp", "exported_at", "log_group", "dataset"]

    /// A JSON array of records, every record with every key (`columns`, then `found` and
    /// `partial`; nulls written, never omitted), one record per line. Built by hand:
    /// JSONEncoder takes ~1 s for a year.
    static func json(_ partitions: [PartitionListing]) -> String {
        if partitions.isEmpty { return "[]" }
        var out = "[\n"
        out.reserveCapacity(partitions.count * 420)
        for (index, p) in partitions.enumerated() {
            out += "  {\"hour\": \(JSONText.string(UTCFormat.iso(millis: p.hourStartMillis))), \"rows\": \(p.rows), "
            out += "\"bytes\": \(p.bytes), \"uris\": [\(p.uris.map(JSONText.string).joined(separator: ", "))], "
            out += "\"sha256\": \(JSONText.string(p.sha256)), "
            out += "\"min_timestamp\": \(JSONText.optional(p.minTimestampNanos.map { UTCFormat.iso(nanos: $0) })), "
            out += "\"max_timestamp\": \(JSONText.optional(p.maxTimestampNanos.map { UTCFormat.iso(nanos: $0) })), "
            out += "\"exported_at\": \(JSONText.string(UTCFormat.iso(millis: p.exportedAtMillis))), "
            out += "\"log_group\": \(JSONText.string(p.logGroup)), \"dataset\": \(JSONText.string(p.dataset)), \"found\": \(p.found), \"partial\": \(p.partial)}"
            out += index == partitions.count - 1 ? "\n" : ",\n"
        }
        return out + "]"
    }

    static func fields(_ p: PartitionListing) -> [String] {
        [UTCFormat.iso(millis: p.hourStartMillis), String(p.rows), String(p.bytes), p.uris.joined(separator: " "), p.sha256,
         p.minTimestampNanos.map { UTCFormat.iso(nanos: $0) } ?? "", p.maxTimestampNanos.map { UTCFormat.iso(nanos: $0) } ?? "",
         UTCFormat.iso(millis: p.exportedAtMillis), p.logGroup, p.dataset]
    }

    /// RFC 4180: a header line; fields with a comma, quote or line break are quoted. Several
    /// URIs of one partition are separated by a space inside the `uris` field.
    static func csv(_ partitions: [PartitionListing]) -> String {
        func quote(_ field: String) -> String {
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = columns.joined(separator: ",") + "\r\n"
        for p in partitions { out += fields(p).map(quote).joined(separator: ",") + "\r\n" }
        return out
    }

    /// Columns padded to their widest value; the sha256 is shortened to 12 hex digits (JSON
    /// and CSV carry it whole); several URIs of one hour go on continuation lines.
    static func table(_ partitions: [PartitionListing]) -> String {
        if partitions.isEmpty { return "no exported partitions\n" }
        let header = ["HOUR (UTC)", "ROWS", "BYTES", "SHA256", "MIN TIMESTAMP", "MAX TIMESTAMP", "EXPORTED AT", "LOG GROUP", "DATASET", "URI"]
        var rows: [[String]] = []
        for p in partitions {
            let f = fields(p)
            let uris = p.uris.isEmpty ? ["-"] : p.uris
            // A found hour was not exported by this catalog: its "exported at" says so.
            let exported = (p.found ? "found " : "") + (p.partial ? "partial " : "") + f[7]
            rows.append([f[0], f[1], f[2], p.sha256.isEmpty ? "-" : String(p.sha256.prefix(12)), f[5].isEmpty ? "-" : f[5],
                         f[6].isEmpty ? "-" : f[6], exported, f[8], f[9], uris[0]])
            for uri in uris.dropFirst() { rows.append(["", "", "", "", "", "", "", "", "", uri]) }
        }
        var widths = header.map(\.unicodeScalars.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.unicodeScalars.count) } }
        let numeric: Set<Int> = [1, 2]
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.unicodeScalars.count)
                return i == cells.count - 1 ? cell : (numeric.contains(i) ? pad + cell : cell + pad)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
