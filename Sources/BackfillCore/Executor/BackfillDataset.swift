import AccessLog
import Catalog

extension Dataset {
    /// The dataset a backfill was planned with, its path filters included.
    public init(_ spec: BackfillSpec) throws {
        let filter = PathFilter(spec)
        guard let dataset = Dataset.named(spec.dataset, filter: filter) else {
            throw BackfillDatasetError.unknown(spec.dataset)
        }
        self = dataset
    }
}

/// A catalog names a dataset this version does not know (planned by a newer version).
enum BackfillDatasetError: Error, CustomStringConvertible {
    case unknown(String)

    var description: String {
        switch self {
        case .unknown(let name):
            "the catalog's backfill is of dataset \"\(name)\", which this version does not know (known: \(Dataset.names.joined(separator: ", ")))"
        }
    }
}

extension PathFilter {
    /// The path filters a backfill was planned with.
    public init(_ spec: BackfillSpec) {
        self.init(includePrefixes: spec.filterPaths, excludePrefixes: spec.excludePaths)
    }
}
