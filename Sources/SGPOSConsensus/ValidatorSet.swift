import SGPOSCrypto

/// The validators of the checkpoint chain, in genesis order, each with voting power 1.
/// Thresholds follow the paper with n = 3f + 1 generalised to any n ≥ 4: a quorum is
/// more than 2/3 of the power, "f + 1" is more than 1/3.
public struct ValidatorSet: Sendable, Hashable {
    public let keys: [PublicKey]

    public init(_ keys: [PublicKey]) {
        precondition(keys.count >= 4 && keys.count <= Int(UInt16.max), "a checkpoint chain needs at least 4 validators")
        precondition(Set(keys).count == keys.count, "validator keys must be distinct")
        self.keys = keys
    }

    public var count: Int { keys.count }
    /// Smallest power above 2/3 of the total.
    public var quorum: Int { count * 2 / 3 + 1 }
    /// Smallest power above 1/3 of the total (at least one correct validator among them).
    public var oneThirdPlus: Int { count / 3 + 1 }

    /// Round-robin proposer: validator (height + round) mod n.
    public func proposer(height: UInt64, round: UInt32) -> UInt16 {
        UInt16((height &+ UInt64(round)) % UInt64(count))
    }

    public func index(of key: PublicKey) -> UInt16? { keys.firstIndex(of: key).map { UInt16($0) } }
}
