import AWS
import Foundation

/// One kind of destination (a local directory, an S3 prefix): how its URIs are written and
/// how one is opened. A new kind is one type conforming to this (in a file of its own, next to
/// `S3PrefixDestination`) plus its line in `OutputDestination.kinds`.
public protocol DestinationKind: SendableMetatype {
    /// The URI scheme that names this kind (`s3`); nil for the one kind written without a
    /// scheme (a local directory).
    static var scheme: String? { get }
    /// How destinations of this kind are written, for messages ("s3:// URIs").
    static var written: String { get }
    /// The AWS services this kind talks to (`doctor` shows their endpoints).
    static var awsServices: [AWSService] { get }
    /// Whether `--destination-env`/`--destination-profile` can give one credentials of its own.
    static var takesCredentials: Bool { get }
    /// The canonical URI of `text`, the form the catalog stores; or why `text` is not one.
    static func canonicalURI(_ text: String, currentDirectory: String) throws(OutputDestination.Invalid) -> String
    /// A single file (`export`, `upload`): the canonical URI of a destination holding it, and
    /// the file's key under that destination (empty when `text` names no file).
    static func fileLocation(_ text: String, currentDirectory: String) throws(OutputDestination.Invalid) -> (uri: String, key: String)
    /// Resolves what opening `uri` needs (credentials, clients) before `open`, which does not wait.
    static func prepare(uri: String, region: String?, clients: DestinationClients) async throws
    /// The destination at canonical `uri`, with the clients `prepare` resolved.
    static func open(uri: String, region: String?, clients: DestinationClients) throws -> any PartitionDestination
}

/// A destination URI (`--output-path`, `export --output-path`, `upload --destination`, the
/// catalog's destinations) parsed: its kind and canonical URI. Every command parses destinations
/// here, with the same rules, and opens them with `open`.
public struct OutputDestination: Sendable, Equatable, CustomStringConvertible {
    /// Every kind of destination, in the order messages name them.
    static let kinds: [any DestinationKind.Type] = [
        LocalDirectoryDestination.self,
        S3PrefixDestination.self,
    ]

    public let kind: any DestinationKind.Type
    /// The canonical text stored in the catalog: `s3://bucket/prefix` without trailing slash,
    /// an absolute, standardized directory without trailing slash.
    public let uri: String

    public var description: String { uri }
    /// A directory of this machine's file system (written in place; no credentials).
    public var isLocal: Bool { kind.scheme == nil }

    public static func == (a: OutputDestination, b: OutputDestination) -> Bool {
        a.uri == b.uri && ObjectIdentifier(a.kind) == ObjectIdentifier(b.kind)
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible, Sendable {
        public let value: String
        public let reason: String
        public var description: String { "invalid --output-path \"\(value)\": \(reason)" }
    }

    /// Throws `Invalid` (`plan`'s usage error, and every other command's).
    public static func parse(_ text: String, currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> OutputDestination {
        let kind = try kind(of: text)
        return OutputDestination(kind: kind, uri: try kind.canonicalURI(text, currentDirectory: currentDirectory))
    }

    /// A single file's location: the destination holding it and the file's key there (empty
    /// when `text` names a bucket or directory but no file; the caller says what is missing).
    /// Throws `Invalid`.
    public static func parseFile(_ text: String, currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> (destination: OutputDestination, key: String) {
        let kind = try kind(of: text)
        let (uri, key) = try kind.fileLocation(text, currentDirectory: currentDirectory)
        return (OutputDestination(kind: kind, uri: uri), key)
    }

    /// Whether `text` starts like a destination that can have credentials of its own
    /// (`--destination-env s3://bucket=PREFIX`).
    public static func takesCredentials(_ text: String) -> Bool {
        kinds.contains { kind in kind.takesCredentials && kind.scheme.map { text.hasPrefix($0 + "://") } ?? false }
    }

    /// Resolves the credentials and clients a stored destination `uri` needs, without
    /// checking the URI again (`open` does).
    static func prepare(uri: String, region: String?, clients: DestinationClients) async throws {
        try await kind(of: uri).prepare(uri: uri, region: region, clients: clients)
    }

    public func prepare(region: String?, clients: DestinationClients) async throws {
        try await kind.prepare(uri: uri, region: region, clients: clients)
    }

    /// The destination, opened with clients that `prepare` resolved for the same `region`.
    public func open(region: String?, clients: DestinationClients) throws -> any PartitionDestination {
        try kind.open(uri: uri, region: region, clients: clients)
    }

    /// The kind `text` is written as: the one whose scheme it starts with (in any case, so that
    /// `S3://…` gets S3's own message), else — without any `://` — the one without a scheme.
    static func kind(of text: String) throws(Invalid) -> any DestinationKind.Type {
        let lowered = text.lowercased()
        if let kind = kinds.first(where: { kind in kind.scheme.map { lowered.hasPrefix($0 + ":") } ?? false }) { return kind }
        guard !text.contains("://"), let kind = kinds.first(where: { $0.scheme == nil }) else {
            throw Invalid(value: text, reason: "only \(kinds.map { $0.written }.joined(separator: " and ")) are supported")
        }
        return kind
    }
}
