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

    /// When to poll first: the 70th percentile of recent durations (most queries are done,
    /// a few need one more poll).
    public func firstPoll() -> Double {
        percentile(0.7)
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
