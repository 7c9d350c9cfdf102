import SGPOSConsensus
import SGPOSCrypto

/// The validator sets of a simulated run, changing as the real ones do: a checkpoint at
/// height H (every third height) carries one change that takes effect at H + 2
/// (docs/CONSENSUS.md §9) — alternately a validator's power moves between 5 and 6, or its
/// key is replaced by its next generation. The change a height carries is a function of
/// the height, so a validator whose disk was lost knows every set without the history;
/// a validator checks that a proposal carries exactly that change.
///
/// Validator v keeps index v in every set. With powers 5 and 6, any f = ⌊(n−1)/3⌋
/// validators hold less than a third of the power for n ≤ 7, so the fault plan's
/// tolerance (counted in validators) still holds; beyond 7 validators powers stay equal.
struct SimulatedValidators {
    struct Change: Hashable {
        let validator: UInt16
        let power: UInt64
        let generation: UInt32
    }

    static let generations = 4
    static let changeEvery: UInt64 = 3

    /// keys[v][g]: validator v's key of generation g.
    let keys: [[SigningKey]]
    let genesisPowers: [UInt64]

    init(count: Int, random: inout SimulationRandom) {
        keys = (0..<count).map { _ in
            (0..<Self.generations).map { _ in SigningKey(seed: (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })! }
        }
        genesisPowers = (0..<count).map { _ in count <= 7 ? UInt64.random(in: 5...6, using: &random) : 1 }
    }

    var count: Int { keys.count }

    /// The change checkpoint `height` carries, if any.
    func change(at height: UInt64) -> Change? {
        guard height >= Self.changeEvery, height % Self.changeEvery == 0 else { return nil }
        let (powers, generations) = state(through: height - 1)
        return change(at: height, powers: powers, generations: generations)
    }

    /// Powers and key generations after the changes of checkpoints 1 … `height`.
    func state(through height: UInt64) -> (powers: [UInt64], generations: [UInt32]) {
        var powers = genesisPowers
        var generations = [UInt32](repeating: 0, count: count)
        var h = Self.changeEvery
        while h <= height {
            if let change = change(at: h, powers: powers, generations: generations) {
                powers[Int(change.validator)] = change.power
                generations[Int(change.validator)] = change.generation
            }
            h += Self.changeEvery
        }
        return (powers, generations)
    }

    private func change(at height: UInt64, powers: [UInt64], generations: [UInt32]) -> Change? {
        let step = height / Self.changeEvery
        let validator = Int(step % UInt64(count))
        if step % 2 == 0 || count > 7 {
            return Change(validator: UInt16(validator), power: powers[validator],
                          generation: (generations[validator] + 1) % UInt32(Self.generations))
        }
        return Change(validator: UInt16(validator), power: 11 - powers[validator], generation: generations[validator])
    }

    /// The set of `height`: the changes of checkpoints up to `height − 2`.
    func set(at height: UInt64) -> ValidatorSet {
        let (powers, generations) = state(through: height >= 2 ? height - 2 : 0)
        return ValidatorSet(keys: (0..<count).map { keys[$0][Int(generations[$0])].publicKey }, powers: powers)
    }
}
