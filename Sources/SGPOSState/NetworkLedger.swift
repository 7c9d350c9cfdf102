import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// The network state (docs/FORMAT.md §9.4, docs/CONSENSUS.md §7): what every outlet's
/// checkpointed blocks say about state shared between outlets, applied in checkpoint order
/// (per checkpoint: outlets by id, each outlet's newly covered blocks by height, each
/// block's changes in key order). Every node and every auditor that applies the same
/// checkpoints computes the same network root, and each checkpoint carries the root after
/// it, so the shared view is agreed through consensus, not assumed.
///
/// Tables: each member's account at each outlet and their totals (the final loyalty
/// view), and both halves of every inter-outlet transfer (the final transfer view).
public enum NetworkLedger {
    /// The outlet tables the network state is derived from: a node keeps these entries of
    /// each block's write set until a checkpoint covers the block.
    public static var sourceTables: Set<StateTable> { StateTable.networkSources }

    /// networkRoot(0): chained from the genesis id over an empty change set.
    public static func genesisRoot(_ genesisID: Hash256) -> Hash256 { next(previous: genesisID, changes: WriteSet()) }

    /// networkRoot(h) = SHA-256("SGPOS/network-root/v1" 0x00 ‖ networkRoot(h-1) ‖ writeSetHash(changes of h)).
    public static func next(previous: Hash256, changes: WriteSet) -> Hash256 {
        Hash256.tagged(.networkRoot, previous.bytes + changes.hash.bytes)
    }

    /// The blocks of one outlet a checkpoint newly covers.
    public struct CoveredBlocks: Sendable, Hashable {
        public let outlet: UInt32
        public let heights: ClosedRange<UInt64>
        public init(outlet: UInt32, heights: ClosedRange<UInt64>) {
            self.outlet = outlet
            self.heights = heights
        }
    }

    /// One checkpoint's changes to the network state `base`: first its evidence records
    /// (id → record, ascending by id; each must be new), then its validator update records
    /// (the same), then its allowance grants (the same; each sets an outlet's granted
    /// points), then its product recalls (id → checkpoint height ‖ recall bytes; each new), then `covered` ascending by outlet, each block's source changes from
    /// `sources(outlet, height)`.
    public static func changes<Base: StateReader>(
        base: Base, evidence: [(id: Hash256, record: [UInt8])] = [], validatorUpdates: [(id: Hash256, record: [UInt8])] = [],
        allowanceGrants: [Grant] = [], recalls: [(id: Hash256, record: [UInt8])] = [], covering covered: [CoveredBlocks],
        sources: (UInt32, UInt64) throws -> WriteSet
    ) throws -> WriteSet {
        precondition(zip(covered, covered.dropFirst()).allSatisfy { $0.outlet < $1.outlet }, "outlets ascend")
        var state = StateOverlay(base: base)
        for (table, items, what) in [(StateTable.networkEvidence, evidence, "evidence"), (.networkValidatorUpdates, validatorUpdates, "validator update")] {
            for item in items {
                let key = StateKey(table, item.id.bytes)
                guard try state.read(key) == nil else {
                    throw CodecError.invalidValue("\(what) \(item.id) was carried by an earlier checkpoint", at: 0)
                }
                state.put(key, item.record)
            }
        }
        for grant in allowanceGrants { try applyGrant(grant, to: &state) }
        for recall in recalls {
            let key = StateKey(.networkRecalls, recall.id.bytes)
            guard try state.read(key) == nil else {
                throw CodecError.invalidValue("recall \(recall.id) was carried by an earlier checkpoint", at: 0)
            }
            state.put(key, recall.record)
        }
        for range in covered {
            for height in range.heights {
                try apply(outlet: range.outlet, blockWrites: try sources(range.outlet, height), to: &state)
            }
        }
        return state.writes
    }

    /// Applies one outlet block's changes (its write set; only ``sourceTables`` matter).
    public static func apply(outlet: UInt32, blockWrites: WriteSet, to state: inout StateOverlay) throws {
        for (key, value) in blockWrites.sortedEntries {
            switch key.table {
            case .members: try applyMember(outlet: outlet, member: key.key, account: value, to: &state)
            case .transfers: try applyTransfer(key: key.key, record: value, to: &state)
            case .pointsClaims, .pointsSettlements:
                try applyClaimHalf(outlet: outlet, table: key.table, id: key.key, value: value, to: &state)
            default: continue
            }
        }
    }

    /// Key of a member's account at one outlet: u8 length ‖ member id ‖ u32 outlet.
    public static func memberAccountKey(member: [UInt8], outlet: UInt32) -> StateKey {
        precondition(!member.isEmpty && member.count <= 255, "member id length")
        var encoder = CanonicalEncoder(capacity: 5 + member.count)
        encoder.writeU8(UInt8(member.count))
        encoder.writeFixed(member, count: member.count)
        encoder.writeU32(outlet)
        return StateKey(.networkMemberAccounts, encoder.bytes)
    }

    public static func memberTotalsKey(member: [UInt8]) -> StateKey { StateKey(.networkMemberTotals, member) }
    public static func transferKey(_ id: [UInt8]) -> StateKey { StateKey(.networkTransfers, id) }

    static func applyMember(outlet: UInt32, member: [UInt8], account: [UInt8]?,
                                               to state: inout StateOverlay) throws {
        let accountKey = memberAccountKey(member: member, outlet: outlet)
        let before = try state.read(accountKey).map { try MemberAccount(canonicalBytes: $0) }
        let after = try account.map { try MemberAccount(canonicalBytes: $0) }
        guard before != after else { return }
        state.put(accountKey, account)
        let totalsKey = memberTotalsKey(member: member)
        var totals = try state.read(totalsKey).map { try NetworkMemberTotals(canonicalBytes: $0) } ?? NetworkMemberTotals()
        if let before { try totals.remove(before) }
        if let after { try totals.add(after) }
        state.put(totalsKey, totals.outlets == 0 ? nil : totals.canonicalBytes)
    }

    static func applyTransfer(key: [UInt8], record: [UInt8]?, to state: inout StateOverlay) throws {
        guard key.count == TransferID.byteCount + 1, key.last == 1 || key.last == 2 else {
            throw CodecError.invalidValue("transfer key must be a 16-byte id and a direction 1 or 2", at: 0)
        }
        let transferKey = transferKey(Array(key.prefix(TransferID.byteCount)))
        var halves = try state.read(transferKey).map { try NetworkTransfer(canonicalBytes: $0) } ?? NetworkTransfer()
        let half = try record.map { try TransferRecord(canonicalBytes: $0) }
        if key.last == 1 { halves.dispatched = half } else { halves.received = half }
        state.put(transferKey, halves.dispatched == nil && halves.received == nil ? nil : halves.canonicalBytes)
    }
}

/// A member's loyalty totals over every outlet that enrolled the member, as of a checkpoint.
public struct NetworkMemberTotals: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var balance: Int64 = 0
    public var earned: Int64 = 0
    public var redeemed: Int64 = 0
    public var expired: Int64 = 0
    /// Outlets with an account for the member.
    public var outlets: UInt32 = 0

    public init() {}

    mutating func add(_ account: MemberAccount) throws {
        balance = try Self.sum(balance, account.balance)
        earned = try Self.sum(earned, account.pointsEarnedTotal)
        redeemed = try Self.sum(redeemed, account.pointsRedeemedTotal)
        expired = try Self.sum(expired, account.pointsExpiredTotal)
        outlets += 1
    }

    mutating func remove(_ account: MemberAccount) throws {
        precondition(outlets > 0, "an account is removed only after it was added")
        balance = try Self.sum(balance, -account.balance)
        earned = try Self.sum(earned, -account.pointsEarnedTotal)
        redeemed = try Self.sum(redeemed, -account.pointsRedeemedTotal)
        expired = try Self.sum(expired, -account.pointsExpiredTotal)
        outlets -= 1
    }

    private static func sum(_ a: Int64, _ b: Int64) throws -> Int64 {
        let (result, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw CodecError.invalidValue("network member totals overflow", at: 0) }
        return result
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeI64(balance)
        encoder.writeI64(earned)
        encoder.writeI64(redeemed)
        encoder.writeI64(expired)
        encoder.writeU32(outlets)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "network member totals")
        balance = try decoder.readI64("balance")
        earned = try decoder.readI64("earned")
        redeemed = try decoder.readI64("redeemed")
        expired = try decoder.readI64("expired")
        outlets = try decoder.readU32("outlets")
    }
}

/// Both halves of an inter-outlet transfer as the checkpointed chains recorded them.
public struct NetworkTransfer: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    /// The sending outlet's transfer-out, and the receiving outlet's transfer-in.
    public var dispatched: TransferRecord?
    public var received: TransferRecord?

    public init() {}

    /// matched, mismatched, in-transit or received-without-dispatch.
    public var status: String {
        switch (dispatched, received) {
        case (let out?, let into?):
            return out.lines == into.lines && out.counterpart == into.outlet && into.counterpart == out.outlet ? "matched" : "mismatched"
        case (_?, nil): return "in-transit"
        default: return "received-without-dispatch"
        }
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        for half in [dispatched, received] {
            if let half {
                encoder.writeU8(1)
                encoder.writeBytes(half.canonicalBytes, limit: Limits.stateValueBytesMax)
            } else {
                encoder.writeU8(0)
            }
        }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "network transfer")
        var halves: [TransferRecord?] = []
        for name in ["dispatched", "received"] {
            let at = decoder.offset
            switch try decoder.readU8("\(name) present") {
            case 0: halves.append(nil)
            case 1: halves.append(try TransferRecord(canonicalBytes: try decoder.readBytes(name, limit: Limits.stateValueBytesMax)))
            default: throw .nonCanonical("\(name) present must be 0 or 1", at: at)
            }
        }
        dispatched = halves[0]
        received = halves[1]
    }
}
