/// One kept access-log row as byte ranges instead of strings: what `AccessLogParser`'s
/// byte-level entry point hands to its caller, so a bulk consumer (the Parquet column builders
/// of `convert`) copies each field once, straight from the parser's buffers, with no `String`
/// or `AccessLogRow` in between.
///
/// The buffers point into the caller's input or the parser's scratch memory and are valid only
/// inside the callback that receives the row. Every buffer holds valid UTF-8: exactly the bytes
/// the `String` fields of the equivalent `AccessLogRow` would hold.
public struct AccessLogRowBytes {
    public var timestampNanos: Int64
    public var message: UnsafeBufferPointer<UInt8>
    public var user: UnsafeBufferPointer<UInt8>?
    public var orgID: UnsafeBufferPointer<UInt8>?
    public var domain: UnsafeBufferPointer<UInt8>
    public var distribution: UnsafeBufferPointer<UInt8>
    public var package: UnsafeBufferPointer<UInt8>
    public var statusCode: Int16?
    public var userAgent: UnsafeBufferPointer<UInt8>?
    public var xForwardedFor: UnsafeBufferPointer<UInt8>?
    /// `@ptr` (empty when the result row had none); a sort tiebreak, not a Parquet column.
    public var ptr: UnsafeBufferPointer<UInt8>
}

extension AccessLogRow {
    /// The row with its byte ranges copied into strings.
    public init(_ bytes: AccessLogRowBytes) {
        func text(_ buffer: UnsafeBufferPointer<UInt8>) -> String { String(decoding: buffer, as: UTF8.self) }
        self.init(
            timestampNanos: bytes.timestampNanos, message: text(bytes.message),
            user: bytes.user.map(text), orgID: bytes.orgID.map(text),
            domain: text(bytes.domain), distribution: text(bytes.distribution), package: text(bytes.package),
            statusCode: bytes.statusCode, userAgent: bytes.userAgent.map(text),
            xForwardedFor: bytes.xForwardedFor.map(text), ptr: text(bytes.ptr))
    }
}

/// What the byte-level parse decided for one row (`RowOutcome` without the row itself).
public enum RowVerdict: Sendable, Equatable {
    case kept
    case skipped(SkipReason)
    case malformed(String)
}
