import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// One broken rule found by the auditor: where, and what.
public struct AuditFinding: Hashable, Sendable, CustomStringConvertible {
    /// The outlet chain, if the finding belongs to one.
    public let outletID: OutletID?
    public let height: UInt64?
    public let transactionIndex: Int?
    public let transactionID: Hash256?
    /// Stable rule name: a ledger rule code (`rule 105`) or a store check (`store/tx-index`).
    public let rule: String
    public let message: String

    public init(outletID: OutletID? = nil, height: UInt64? = nil, transactionIndex: Int? = nil,
                transactionID: Hash256? = nil, rule: String, message: String) {
        self.outletID = outletID
        self.height = height
        self.transactionIndex = transactionIndex
        self.transactionID = transactionID
        self.rule = rule
        self.message = message
    }

    public var description: String {
        var place: [String] = []
        if let outletID { place.append("outlet \(outletID)") }
        if let height { place.append("height \(height)") }
        if let transactionIndex { place.append("transaction \(transactionIndex)") }
        if let transactionID { place.append("tx \(transactionID)") }
        let location = place.isEmpty ? "store" : place.joined(separator: " ")
        return "\(location): [\(rule)] \(message)"
    }
}

/// What the auditor verified and what it found.
public struct AuditReport: Sendable {
    /// One verified chain.
    public struct Chain: Hashable, Sendable {
        public let outletID: OutletID
        /// Height up to which every rule held.
        public let verifiedHeight: UInt64
        public let transactions: Int
        public let headID: Hash256
        public let stateRoot: Hash256
        /// RFC 9162 root over block ids 1...verifiedHeight.
        public let historyRoot: Hash256
    }

    public let genesisID: Hash256
    public let chains: [Chain]
    public internal(set) var findings: [AuditFinding]
    public let signaturesVerified: Int
    /// Checkpoints whose commit certificates were checked (docs/CONSENSUS.md §2).
    public internal(set) var checkpointsVerified = 0
    /// Checkpoints whose network root the audit recomputed from the replayed chains and
    /// found equal (docs/CONSENSUS.md §7); it stops at the first checkpoint covering a
    /// block this copy does not hold.
    public internal(set) var networkRootsVerified = 0
    /// Proven evidence the checkpoints carry, one line each (misbehaviour the network
    /// agreed on; it does not make this copy invalid).
    public internal(set) var checkpointEvidence: [String] = []
    /// Validator updates the checkpoints carried, each with the set it makes.
    public internal(set) var validatorChanges: [String] = []
    /// Points claims in the network state, each with its status (pending, paid, short, …).
    public internal(set) var pointsClaims: [String] = []

    /// Per outlet, its blocks' lag behind the checkpoints' agreed time (docs/CONSENSUS.md
    /// §11): the largest, and the windows beyond the genesis's threshold. Not findings: an
    /// outlet cut off lags as much as one whose clock stood still, and the auditor asks which.
    public internal(set) var time: [OutletTimeReport] = []

    /// How often a chain's replayed state (or its network-state changes, kept for the
    /// checkpoints) outgrew its share of the audit's memory and moved to a scratch store
    /// on disk (0: everything fitted in memory).
    public internal(set) var replaySpills = 0

    /// True when nothing was found.
    public var isValid: Bool { findings.isEmpty }
    public var transactionCount: Int { chains.reduce(0) { $0 + $1.transactions } }
}
