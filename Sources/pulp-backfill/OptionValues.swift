import AccessLog
import ArgumentParser
import BackfillCore
import Parquet

// Every option whose value is one of a closed set of words is an enum here, so that
// ArgumentParser lists the choices in `--help` and refuses any other value while parsing
// (one line, exit 2: see `PulpBackfill.main`). A command's own choices (`status --format`,
// `catalog --format`, `export --content-type`) stay beside the command.

// The library's own types, used as they are.
extension TimestampUnit: ExpressibleByArgument {}
extension ParquetCompression: ExpressibleByArgument {}
extension HourFileLayout: ExpressibleByArgument {}
extension TableDDL.Engine: ExpressibleByArgument {}
extension IfExists: ExpressibleByArgument {}

/// `--dataset`: the names of `Dataset.all`.
enum DatasetName: String, CaseIterable, ExpressibleByArgument {
    case access
    case contentPython = "content-python"
    case contentRPM = "content-rpm"
    case contentMaven = "content-maven"

    /// The definition (with these path filters for `access`).
    func dataset(filter: PathFilter = .seedDefault) -> Dataset {
        Dataset.named(rawValue, filter: filter)!
    }
}

/// `--log-format`: how progress, log and error lines look on stderr.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json
}

/// Values accepted in any case (`--format JSON`), as `status` and `catalog` always did.
protocol CaseInsensitiveArgument: ExpressibleByArgument, RawRepresentable, CaseIterable where RawValue == String {}

extension CaseInsensitiveArgument {
    init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}
