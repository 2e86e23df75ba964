import Catalog
import Foundation

/// This process as a lease holder, and whether another holder on this host is still alive.
///
/// A process is known by its pid AND its start time (the boot id and the start tick from
/// `/proc/PID/stat`), so a pid the kernel has since given to another process does not keep a
/// dead run's chunks locked. Where `/proc` cannot be read, liveness is unknown and only the
/// lease's expiry frees the chunks.
public enum ProcessIdentity {
    public static let current = LeaseHolder(
        host: ProcessInfo.processInfo.hostName, pid: Int64(getpid()),
        processStart: processStart(pid: Int64(getpid())) ?? "unknown")

    /// Whether `holder`'s process is running: nil when this process cannot tell (another
    /// host, or no `/proc`).
    public static func isAlive(_ holder: LeaseHolder) -> Bool? {
        guard holder.host == current.host, current.processStart != "unknown" else { return nil }
        guard let start = processStart(pid: holder.pid) else { return false }  // no such process (or a zombie)
        return start == holder.processStart
    }

    /// "BOOT_ID:START_TICK" of a running process, nil if there is none (zombies count as gone:
    /// a killed child its parent has not reaped yet holds nothing).
    static func processStart(pid: Int64) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": state is field 3, starttime field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return "\(bootID):\(fields[19])"
    }

    private static let bootID: String = {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "no-boot-id"
    }()
}

/// What a run makes of chunks that another lease owner holds (pure: the clock and the
/// liveness check are inputs, so every case is tested without processes).
public enum LeaseVerdict: Sendable, Equatable {
    /// The lease ran out: the chunks are claimable as they are.
    case expired
    /// The owner's process is gone (same host): take the chunks over now.
    case ownerGone
    /// A live owner on this host works on them; wait for it.
    case heldByLiveOwner
    /// An owner this process cannot check (another host, or an old lease without an owner
    /// record): wait until the lease expires at `untilMillis`.
    case heldUntilExpiry(untilMillis: Int64)

    public static func judge(_ group: LeaseGroup, nowMillis: Int64, isAlive: (LeaseHolder) -> Bool?) -> LeaseVerdict {
        if group.expiresMillis <= nowMillis { return .expired }
        guard let holder = group.holder else { return .heldUntilExpiry(untilMillis: group.expiresMillis) }
        switch isAlive(holder) {
        case false?: return .ownerGone
        case true?: return .heldByLiveOwner
        case nil: return .heldUntilExpiry(untilMillis: group.expiresMillis)
        }
    }

    /// Whether the chunks count as live work (`status`: running, not stale).
    public var isLive: Bool {
        switch self {
        case .heldByLiveOwner, .heldUntilExpiry: true
        case .expired, .ownerGone: false
        }
    }
}
