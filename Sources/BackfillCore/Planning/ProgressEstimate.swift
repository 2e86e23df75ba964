import Catalog

/// Derived numbers `status` shows next to a backfill's counters: cost and ETA.
public struct ProgressEstimate: Sendable, Equatable {
    /// Insights bills scanned data per GB; AWS bills in binary gigabytes (2^30 bytes).
    static let bytesPerGB: Double = 1_073_741_824

    public let estimatedCostUSD: Double
    /// A run is active when some chunk holds an unexpired lease.
    public let active: Bool
    /// Seconds until every chunk is finished at the recent rate; nil without an active run
    /// or without chunks finished in the recent window.
    public let etaSeconds: Double?

    /// `liveLeases`: running chunks whose owner is alive or whose lease has not run out yet
    /// (default: every unexpired lease); only live work makes a run active and an ETA.
    public init(progress: BackfillProgress, costPerGB: Double, recentWindowSeconds: Double, liveLeases: Int? = nil) {
        estimatedCostUSD = Double(progress.bytesScanned) / Self.bytesPerGB * costPerGB
        active = (liveLeases ?? progress.running) > 0
        let remaining = progress.pending + progress.running + progress.expiredLeases + progress.failed
        if active && progress.recentlyFinished > 0 && recentWindowSeconds > 0 {
            let perSecond = Double(progress.recentlyFinished) / recentWindowSeconds
            etaSeconds = Double(remaining) / perSecond
        } else {
            etaSeconds = nil
        }
    }
}
