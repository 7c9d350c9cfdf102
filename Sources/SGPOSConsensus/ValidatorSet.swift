import SGPOSChain
import SGPOSCrypto

/// The validators of one checkpoint height, in a fixed order, each with a voting power
/// (docs/CONSENSUS.md §9). A vote names its validator by index in this order. Thresholds
/// follow the paper over voting power: a quorum is more than 2/3 of the total power,
/// "f + 1" more than 1/3.
public struct ValidatorSet: Sendable, Hashable {
    /// Validators a set may hold (the 4–7; the genesis and every update keep it).
    public static let sizeRange = 4...7
    /// Power of one validator.
    public static let powerRange: ClosedRange<UInt64> = 1...1_000

    public let keys: [PublicKey]
    public let powers: [UInt64]
    public let totalPower: UInt64
    /// Proposer of position p is `proposerCycle[p mod totalPower]` (smooth weighted round robin).
    let proposerCycle: [UInt16]

    /// Validators with power 1 each (the outlet node keys when the genesis names none).
    public init(_ keys: [PublicKey]) {
        self.init(keys: keys, powers: Array(repeating: 1, count: keys.count))
    }

    public init(keys: [PublicKey], powers: [UInt64]) {
        precondition(keys.count == powers.count, "one power per validator")
        precondition(keys.count >= 4 && keys.count <= Int(UInt16.max), "a checkpoint chain needs at least 4 validators")
        precondition(Set(keys).count == keys.count, "validator keys must be distinct")
        precondition(powers.allSatisfy { Self.powerRange.contains($0) }, "validator power 1...1000")
        self.keys = keys
        self.powers = powers
        totalPower = powers.reduce(0, +)
        proposerCycle = Self.cycle(powers)
    }

    /// The genesis set: the `validators` list if the genesis names one, else every outlet's
    /// node key in outlet-id order with power 1.
    public static func genesis(_ genesis: Genesis) -> ValidatorSet {
        if genesis.validators.isEmpty {
            return ValidatorSet(genesis.outlets.sorted { $0.id < $1.id }.map(\.nodeKey))
        }
        return ValidatorSet(keys: genesis.validators.map(\.publicKey), powers: genesis.validators.map(\.power))
    }

    public var count: Int { keys.count }
    /// Smallest power above 2/3 of the total.
    public var quorum: UInt64 { totalPower * 2 / 3 + 1 }
    /// Smallest power above 1/3 of the total (at least one correct validator among them).
    public var oneThirdPlus: UInt64 { totalPower / 3 + 1 }

    public func power(of index: UInt16) -> UInt64 { Int(index) < powers.count ? powers[Int(index)] : 0 }

    /// Total power of a set of validator indices (indices outside the set count 0).
    public func power<S: Sequence>(of indices: S) -> UInt64 where S.Element == UInt16 {
        indices.reduce(0) { $0 + power(of: $1) }
    }

    /// Proposer of (height, round): position (height + round) in the proposer cycle. With
    /// equal powers this is validator (height + round) mod n.
    public func proposer(height: UInt64, round: UInt32) -> UInt16 {
        proposerCycle[Int((height &+ UInt64(round)) % UInt64(proposerCycle.count))]
    }

    public func index(of key: PublicKey) -> UInt16? { keys.firstIndex(of: key).map { UInt16($0) } }

    /// Smooth weighted round robin over one period of `totalPower` positions: each
    /// position adds every validator's power to its credit, picks the highest credit
    /// (lowest index on ties) and takes the total from it. Each validator proposes
    /// exactly its power's share of a period, spread out rather than in runs (the same
    /// idea as CometBFT's proposer priorities, without state carried across heights).
    static func cycle(_ powers: [UInt64]) -> [UInt16] {
        let total = Int64(powers.reduce(0, +))
        var credit = [Int64](repeating: 0, count: powers.count)
        var cycle: [UInt16] = []
        cycle.reserveCapacity(Int(total))
        for _ in 0..<total {
            var best = 0
            for i in powers.indices {
                credit[i] += Int64(powers[i])
                if credit[i] > credit[best] { best = i }
            }
            credit[best] -= total
            cycle.append(UInt16(best))
        }
        assert(credit.allSatisfy { $0 == 0 }, "a full period returns every credit to zero")
        return cycle
    }
}
