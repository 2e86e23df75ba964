import Foundation

/// SIGINT/SIGTERM for long commands: the first signal calls `onFirst` (which cancels the work,
/// so in-flight queries are stopped and leases released); a second one exits at once.
///
/// `@unchecked Sendable`: the mutable state is guarded by `lock`; dispatch sources are only
/// created in `init` and cancelled in `finish`.
final class SignalInterruption: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []
    private var received: Int32?
    private let onFirst: @Sendable (Int32) -> Void

    init(onFirst: @escaping @Sendable (Int32) -> Void) {
        self.onFirst = onFirst
        for number in [SIGINT, SIGTERM] {
            Foundation.signal(number, SIG_IGN)  // delivered to the dispatch source instead of killing us
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ number: Int32) {
        let first = lock.withLock { () -> Bool in
            guard received == nil else { return false }
            received = number
            return true
        }
        guard first else { _exit(128 + number) }
        let name = number == SIGINT ? "interrupted" : "terminated"
        CommandFailure.notice("\(name); stopping queries and releasing chunks (signal again to exit now)")
        onFirst(number)
    }

    /// The first signal received, if any.
    var signal: Int32? { lock.withLock { received } }

    /// Stops listening and restores the default handlers.
    func finish() {
        lock.withLock {
            sources.forEach { $0.cancel() }
            sources.removeAll()
        }
        Foundation.signal(SIGINT, SIG_DFL)
        Foundation.signal(SIGTERM, SIG_DFL)
    }
}
