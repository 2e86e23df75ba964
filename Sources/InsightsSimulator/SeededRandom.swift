// Deterministic randomness: SplitMix64 streams derived from (seed, label, index) alone,
// so every time bucket of the corpus and every fault decision can be recomputed in isolation.

struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A generator whose stream depends only on the inputs (order matters).
    init(seed: UInt64, _ parts: UInt64...) {
        var h = SeededRandom.mix(seed ^ 0x9E37_79B9_7F4A_7C15)
        for p in parts { h = SeededRandom.mix(h ^ SeededRandom.mix(p &+ 0x632B_E59B_D9B4_E019)) }
        state = h
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// SplitMix64's step: the state advances by the golden-ratio increment and is finalized,
    /// which is `mix` of the state before the step (`mix` adds the increment itself).
    mutating func next() -> UInt64 {
        let z = SeededRandom.mix(state)
        state &+= 0x9E37_79B9_7F4A_7C15
        return z
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<n (n > 0); the slight modulo bias is irrelevant for a corpus.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
