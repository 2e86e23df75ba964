import Foundation

/// An `--output-path`: a local directory or `s3://bucket[/prefix]`.
public enum OutputDestination: Sendable, Equatable {
    case local(directory: String)
    case s3(bucket: String, prefix: String)

    public struct Invalid: Error, Equatable, CustomStringConvertible, Sendable {
        public let value: String
        public let reason: String
        public var description: String { "invalid --output-path \"\(value)\": \(reason)" }
    }

    /// The canonical text stored in the catalog: `s3://bucket/prefix` without trailing slash,
    /// or an absolute, standardized local path (so `run` from another directory finds it).
    public var uri: String {
        switch self {
        case .local(let directory): return directory
        case .s3(let bucket, let prefix): return prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
        }
    }

    public static func parse(_ text: String, currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> OutputDestination {
        if text.lowercased().hasPrefix("s3:") {
            guard text.hasPrefix("s3://") else { throw Invalid(value: text, reason: "an S3 destination is written s3://bucket/prefix") }
            let rest = text.dropFirst("s3://".count)
            let bucket = String(rest.prefix { $0 != "/" })
            if let problem = bucketNameProblem(bucket) { throw Invalid(value: text, reason: problem) }
            var prefix = String(rest.dropFirst(bucket.count).dropFirst()) // the "/" after the bucket
            while prefix.hasSuffix("/") { prefix.removeLast() }
            if prefix.hasPrefix("/") || prefix.contains("//") { throw Invalid(value: text, reason: "the prefix contains an empty path segment (//)") }
            return .s3(bucket: bucket, prefix: prefix)
        }
        if text.contains("://") { throw Invalid(value: text, reason: "only local directories and s3:// URIs are supported") }
        guard !text.isEmpty else { throw Invalid(value: text, reason: "empty path") }
        let absolute = text.hasPrefix("/") ? text : currentDirectory + "/" + text
        var standardized = URL(fileURLWithPath: absolute).standardizedFileURL.path
        while standardized.count > 1 && standardized.hasSuffix("/") { standardized.removeLast() }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: standardized, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw Invalid(value: text, reason: "exists and is not a directory (hourly files go into a directory)")
        }
        return .local(directory: standardized)
    }

    /// S3 general purpose bucket naming rules; nil when the name is fine.
    static func bucketNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "missing bucket name" }
        guard (3...63).contains(name.count) else { return "bucket name must be 3 to 63 characters" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard name.allSatisfy({ allowed.contains($0) }) else {
            return "bucket name may only contain lowercase letters, digits, dots and hyphens"
        }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "bucket name must begin and end with a letter or digit"
        }
        if name.contains("..") { return "bucket name must not contain two adjacent dots" }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 && parts.allSatisfy({ Int($0).map { (0...255).contains($0) } ?? false }) {
            return "bucket name must not be formatted as an IP address"
        }
        if name.hasPrefix("xn--") || name.hasPrefix("sthree-") { return "bucket name uses a reserved prefix" }
        if name.hasSuffix("-s3alias") || name.hasSuffix("--ol-s3") { return "bucket name uses a reserved suffix" }
        return nil
    }
}
