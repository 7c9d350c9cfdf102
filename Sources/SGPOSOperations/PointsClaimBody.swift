import SGPOSChain
import SGPOSState

/// What the newest checkpoint this outlet applied says of its allowance for redemptions on
/// credit (the node's `GET /v1/allowance`, docs/CONSENSUS.md §10): a points claim repeats it.
public struct AllowanceStatement: Sendable, Hashable {
    /// The checkpoint (0: none yet) …
    public var checkpoint: UInt64
    /// … this outlet's block height it covers …
    public var covered: UInt64
    /// … this outlet's claims not settled as of it (points) …
    public var outstanding: Int64
    /// … and the allowance then (granted minus losses; points).
    public var allowance: Int64

    public init(checkpoint: UInt64, covered: UInt64, outstanding: Int64, allowance: Int64) {
        self.checkpoint = checkpoint
        self.covered = covered
        self.outstanding = outstanding
        self.allowance = allowance
    }
}

extension SaleBuilder {
    /// The claim a till submits to redeem, here, `points` of member `memberID` held at
    /// outlet `source`, on credit of this outlet's allowance as `statement` gives it. The
    /// claim id names the claim once (``newClaimID()``). Whether the claim fits the allowance
    /// is the state machine's decision; whether the source holds the points, the node's.
    public func buildPointsClaim(id: TransferID, memberID: String, points: Int64, source: OutletID,
                                 statement: AllowanceStatement) throws(RequestError) -> PointsClaim {
        try RequestLimits.memberID(memberID)
        return PointsClaim(claimID: id, memberID: memberID, points: points, source: source, checkpoint: statement.checkpoint,
                           covered: statement.covered, outstanding: statement.outstanding, allowance: statement.allowance)
    }

    /// A fresh random claim id.
    public static func newClaimID() -> TransferID {
        var generator = SystemRandomNumberGenerator()
        return TransferID(uncheckedBytes: (0..<TransferID.byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
