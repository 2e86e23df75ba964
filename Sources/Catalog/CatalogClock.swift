import Foundation

/// Wall-clock milliseconds since the Unix epoch. Every catalog method that depends on
/// "now" also takes it as a parameter, so tests pass fixed times instead.
public enum CatalogClock {
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
