import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// A checkpoint's value: for every outlet of the network, the newest outlet block it
/// covers (height and block id; height 0 and the genesis id before an outlet's first
/// block), ascending by outlet id, every genesis outlet once; evidence of misbehaviour not
/// carried before (ascending by id); validator updates, which change the set from two
/// heights on (ascending by id); the history root of the checkpoints before it; and the
/// network root after applying the evidence, the updates and the blocks it newly covers in
/// checkpoint order (docs/CONSENSUS.md §2, §4, §7, §8, §9).
public struct Checkpoint: Sendable, Hashable, CanonicalEncodable, CanonicalDecodable {
    public struct Head: Sendable, Hashable {
        public let outlet: UInt32
        public let height: UInt64
        public let blockID: Hash256
        public init(outlet: UInt32, height: UInt64, blockID: Hash256) {
            self.outlet = outlet
            self.height = height
            self.blockID = blockID
        }
    }

    public static let outletsMax = 1_024
    public let heads: [Head]
    /// Ascending by id, at most ``CheckpointEvidence/perCheckpointMax``.
    public let evidence: [CheckpointEvidence]
    /// Ascending by id, at most ``ValidatorUpdate/perCheckpointMax``.
    public let validatorUpdates: [ValidatorUpdate]
    /// Ascending by id, at most ``AllowanceGrant/perCheckpointMax``.
    public let allowanceGrants: [AllowanceGrant]
    /// Ascending by id, at most ``ProductRecall/perCheckpointMax`` (FORMAT.md §9.8); a
    /// checkpoint carrying one is version 5.
    public let recalls: [ProductRecall]
    /// RFC 9162 root over the value ids of checkpoints 1 … h−1 (leaf = H(0x00 ‖ value id)).
    public let historyRoot: Hash256
    /// networkRoot after this checkpoint (SGPOSState.NetworkLedger).
    public let networkRoot: Hash256
    /// The agreed time (Unix ms; docs/CONSENSUS.md §11): the proposer's clock, timely for a
    /// quorum, after the previous checkpoint's. nil in a version-3 value (before agreed time).
    public let timeMs: UInt64?

    public init(heads: [Head], evidence: [CheckpointEvidence] = [], validatorUpdates: [ValidatorUpdate] = [],
                allowanceGrants: [AllowanceGrant] = [], recalls: [ProductRecall] = [], historyRoot: Hash256, networkRoot: Hash256,
                timeMs: UInt64? = nil) {
        self.timeMs = timeMs
        precondition(recalls.count <= ProductRecall.perCheckpointMax, "recalls per checkpoint")
        precondition(recalls.isEmpty || timeMs != nil, "a checkpoint carrying a recall carries an agreed time")
        self.recalls = recalls.sorted { $0.id.bytes.lexicographicallyPrecedes($1.id.bytes) }
        precondition(allowanceGrants.count <= AllowanceGrant.perCheckpointMax, "allowance grants per checkpoint")
        self.allowanceGrants = allowanceGrants.sorted { $0.id.bytes.lexicographicallyPrecedes($1.id.bytes) }
        precondition(evidence.count <= CheckpointEvidence.perCheckpointMax, "evidence per checkpoint")
        precondition(validatorUpdates.count <= ValidatorUpdate.perCheckpointMax, "validator updates per checkpoint")
        self.heads = heads
        self.evidence = evidence.sorted { $0.id.bytes.lexicographicallyPrecedes($1.id.bytes) }
        self.validatorUpdates = validatorUpdates.sorted { $0.id.bytes.lexicographicallyPrecedes($1.id.bytes) }
        self.historyRoot = historyRoot
        self.networkRoot = networkRoot
    }

    /// The history leaf of a checkpoint value: its value id.
    public static func historyLeaf(value: [UInt8]) -> Hash256 {
        MerkleTree.leafHash(Hash256.tagged(.checkpointValueID, value).bytes)
    }

    /// The evidence as network-state entries (id → record) for checkpoint `height`.
    public func evidenceRecords(height: UInt64) -> [(id: Hash256, record: [UInt8])] {
        evidence.map { ($0.id, $0.networkRecord(checkpointHeight: height)) }
    }

    /// The validator updates as network-state entries (id → record) for checkpoint `height`.
    public func validatorUpdateRecords(height: UInt64) -> [(id: Hash256, record: [UInt8])] {
        validatorUpdates.map { ($0.id, $0.networkRecord(checkpointHeight: height)) }
    }

    /// The recalls as network-state entries (id → height ‖ recall bytes) for checkpoint `height`.
    public func recallRecords(height: UInt64) -> [(id: Hash256, record: [UInt8])] {
        recalls.map { ($0.id, $0.networkRecord(checkpointHeight: height)) }
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(timeMs == nil ? 3 : recalls.isEmpty ? 4 : 5)
        if let timeMs { encoder.writeU64(timeMs) }
        encoder.writeCount(heads.count, limit: Self.outletsMax)
        for head in heads {
            encoder.writeU32(head.outlet)
            encoder.writeU64(head.height)
            head.blockID.encode(to: &encoder)
        }
        encoder.writeCount(evidence.count, limit: CheckpointEvidence.perCheckpointMax)
        for item in evidence { item.encode(to: &encoder) }
        encoder.writeCount(validatorUpdates.count, limit: ValidatorUpdate.perCheckpointMax)
        for update in validatorUpdates { update.encode(to: &encoder) }
        encoder.writeCount(allowanceGrants.count, limit: AllowanceGrant.perCheckpointMax)
        for grant in allowanceGrants { grant.encode(to: &encoder) }
        if !recalls.isEmpty {
            encoder.writeCount(recalls.count, limit: ProductRecall.perCheckpointMax)
            for recall in recalls { recall.encode(to: &encoder) }
        }
        historyRoot.encode(to: &encoder)
        networkRoot.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        let version = try decoder.readU8("checkpoint version")
        guard (3...5).contains(version) else { throw .unknownVersion("checkpoint", at: at) }
        timeMs = version >= 4 ? try decoder.readU64("checkpoint time") : nil
        let count = try decoder.readCount("checkpoint heads", limit: Self.outletsMax)
        var heads: [Head] = []
        for _ in 0..<count {
            let position = decoder.offset
            let head = Head(outlet: try decoder.readU32("outlet"), height: try decoder.readU64("height"), blockID: try Hash256(from: &decoder))
            if let previous = heads.last, previous.outlet >= head.outlet {
                throw .nonCanonical("checkpoint heads must ascend by outlet", at: position)
            }
            heads.append(head)
        }
        self.heads = heads
        evidence = try Self.readAscending(&decoder, "evidence", limit: CheckpointEvidence.perCheckpointMax) { (item: CheckpointEvidence) in item.id }
        validatorUpdates = try Self.readAscending(&decoder, "validator updates", limit: ValidatorUpdate.perCheckpointMax) { (item: ValidatorUpdate) in item.id }
        allowanceGrants = try Self.readAscending(&decoder, "allowance grants", limit: AllowanceGrant.perCheckpointMax) { (item: AllowanceGrant) in item.id }
        // Version 5 exactly when the checkpoint carries a recall (FORMAT.md §9.3).
        recalls = version == 5
            ? try Self.readAscending(&decoder, "recalls", limit: ProductRecall.perCheckpointMax, nonEmpty: true) { (item: ProductRecall) in item.id }
            : []
        historyRoot = try Hash256(from: &decoder)
        networkRoot = try Hash256(from: &decoder)
    }

    /// A `list(limit)` of items strictly ascending by id (each once); `nonEmpty`: at least one.
    private static func readAscending<Item: CanonicalDecodable>(
        _ decoder: inout CanonicalDecoder, _ what: String, limit: Int, nonEmpty: Bool = false, id: (Item) -> Hash256
    ) throws(CodecError) -> [Item] {
        let countAt = decoder.offset
        let count = try decoder.readCount("checkpoint \(what)", limit: limit)
        guard count > 0 || !nonEmpty else { throw .nonCanonical("this checkpoint version carries at least one of its \(what)", at: countAt) }
        var items: [Item] = []
        for _ in 0..<count {
            let position = decoder.offset
            let item = try Item(from: &decoder)
            if let previous = items.last, !id(previous).bytes.lexicographicallyPrecedes(id(item).bytes) {
                throw .nonCanonical("checkpoint \(what) must ascend by id, each once", at: position)
            }
            items.append(item)
        }
        return items
    }

    /// The head of `outlet`, if listed.
    public func head(of outlet: UInt32) -> Head? { heads.first { $0.outlet == outlet } }
}
