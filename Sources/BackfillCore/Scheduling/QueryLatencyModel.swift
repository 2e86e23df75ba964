/// How long Insights takes to finish a query, learnt from this run's queries, so that the
/// first GetQueryResults of a query is sent when it is most likely done: polling too early
/// spends the GetQueryResults quota on "Running" answers, polling too late wastes a query slot.
public actor QueryLatencyModel {
    private var recent: [Double] = []   // seconds from StartQuery to Complete, newest last
    private let capacity = 50  // recent enough to follow a change of pace within a minute
    /// Before any query finished: Insights' typical time for a small 5-minute query.
    private let initialGuess: Double

    public init(initialGuess: Double = 1.0) {
        self.initialGuess = initialGuess
    }

    public func record(seconds: Double) {
        recent.append(seconds)
        if recent.count > capacity { recent.removeFirst(recent.count - capacity) }
    }

    /// When to poll first: the 95th percentile of recent durations. GetQueryResults has a quota
    /// as small as StartQuery's (5 a second each by default) while query slots are plenty, so a
    /// query is better left running a little longer than asked again: about one in twenty needs
    /// a second poll (at the 70th percentile, one in three did, and polls bounded the run).
    public func firstPoll() -> Double {
        percentile(0.95)
    }

    /// The wait between later polls: a quarter of the typical duration, at least 50 ms.
    public func nextPollStep() -> Double {
        max(0.05, percentile(0.5) / 4)
    }

    private func percentile(_ p: Double) -> Double {
        guard recent.count >= 5 else { return initialGuess }
        let sorted = recent.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
