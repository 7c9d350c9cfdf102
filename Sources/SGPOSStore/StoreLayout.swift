import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// Names and key/value layouts of the LMDB databases (docs/FORMAT.md §9). Integers in
/// keys are big-endian, so LMDB's byte order is numeric order and appends are sequential.
public enum StoreLayout {
    /// Store format version, in `meta` under ``MetaKey/format``.
    public static let formatVersion: UInt32 = 6
    /// The formats ``LedgerStore/upgrade(dataDirectory:options:)`` converts: 3 (no
    /// `tx-tree`, blocks and records uncompressed), 4 (blocks and records uncompressed) and
    /// 5 (every sales record in `state`).
    public static let upgradableFormatVersions: [UInt32] = [3, 4, 5]
    /// The state table whose records may be kept as a reference in the `tx-index` entry of
    /// the transaction that wrote them (FORMAT.md §9.1): sales `0x15`, keyed by the sale's id.
    public static let referencedStateTable: UInt8 = 0x15
    /// State tables whose values the store keeps in ``StoredCompression``'s form (FORMAT.md
    /// §9.1): sales `0x15` and sale pricing `0x22`, the records every sale writes and that
    /// are kept for its refunds. Every other state value is stored as it is.
    public static let compressedStateTables: Set<UInt8> = [0x15, 0x22]
    /// Databases, in the order FORMAT.md lists them.
    public static let databaseNames = ["blocks", "tx-index", "idempotency", "history", "tx-tree", "state", "meta", "network-sources", "network"]

    /// Keys of the `meta` database (ASCII).
    public enum MetaKey {
        public static let format: [UInt8] = Array("format".utf8)
        public static let genesis: [UInt8] = Array("genesis".utf8)
        public static let headPrefix: [UInt8] = Array("head/".utf8)
        public static func head(_ outletID: OutletID) -> [UInt8] { headPrefix + u32(outletID) }
        /// The network state's position: checkpoint height u64 ‖ network root (32).
        public static let network: [UInt8] = Array("network".utf8)
    }

    /// network-sources: outlet u32 ‖ height u64 → the block's write set restricted to
    /// ``StateTable/networkSources`` (absent when empty), kept until a checkpoint covers it.
    public static func networkSourcesKey(_ outletID: OutletID, _ height: UInt64) -> [UInt8] {
        u32(outletID) + u64(height)
    }

    /// blocks: outlet u32 ‖ height u64.
    public static func blockKey(_ outletID: OutletID, _ height: UInt64) -> [UInt8] {
        u32(outletID) + u64(height)
    }

    /// idempotency: outlet u32 ‖ idempotency id (16).
    public static func idempotencyKey(_ outletID: OutletID, _ id: IdempotencyID) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 20)
        encoder.writeU32(outletID)
        encoder.writeFixed(id.bytes, count: IdempotencyID.byteCount)
        return encoder.bytes
    }

    /// tx-tree: outlet u32 ‖ height u64 (as ``blockKey(_:_:)``) → the block's chunk roots.
    public static func transactionTreeKey(_ outletID: OutletID, _ height: UInt64) -> [UInt8] {
        u32(outletID) + u64(height)
    }

    /// The `tx-tree` value of a block with these transaction ids: its transaction tree's
    /// chunk roots (``MerkleTree/chunkRoots(leafHashes:)``) concatenated; nil when the block
    /// has at most ``MerkleTree/chunkLeaves`` transactions (no entry: the header's
    /// transaction root is the one chunk's root).
    public static func transactionTreeValue(_ ids: [Hash256]) -> [UInt8]? {
        guard ids.count > MerkleTree.chunkLeaves else { return nil }
        return MerkleTree.chunkRoots(leafHashes: ids.map { MerkleTree.leafHash($0.bytes) }).flatMap(\.bytes)
    }

    /// history: outlet u32 ‖ level u8 ‖ index u64.
    public static func historyKey(_ outletID: OutletID, level: Int, index: UInt64) -> [UInt8] {
        precondition(level >= 0 && level < 64, "history level out of range")
        return u32(outletID) + [UInt8(level)] + u64(index)
    }

    /// state: outlet u32 ‖ table u8 ‖ table key.
    public static func stateKey(_ outletID: OutletID, _ key: StateKey) -> [UInt8] {
        u32(outletID) + key.bytes
    }

    /// The `state` value the store writes for `value` of a key of `table`.
    public static func storedStateValue(_ table: StateTable, _ value: [UInt8]) -> [UInt8] {
        compressedStateTables.contains(table.rawValue) ? StoredCompression.compress(value, level: StoredCompression.stateLevel) : value
    }

    /// The state value a stored `state` value of `table` holds.
    public static func stateValue(_ table: StateTable, stored: [UInt8], what: @autoclosure () -> String) throws -> [UInt8] {
        compressedStateTables.contains(table.rawValue) ? try StoredCompression.decompress(stored, what: what()) : stored
    }

    /// The `blocks` value the store writes for a block: one segment per chunk of
    /// ``MerkleTree/chunkLeaves`` transactions, the first also holding the header, the
    /// signature and the count, every later one deflated with the first one's last bytes as
    /// preset dictionary (FORMAT.md §9.1).
    public static func storedBlock(_ block: Block) -> [UInt8] {
        storedBlock(block.encoded, transactionLengths: block.transactions.map(\.encoded.count))
    }

    /// ``storedBlock(_:)`` of a block's bytes whose transactions have these encoded lengths
    /// (each is stored after its `u32` length); without them, one segment.
    public static func storedBlock(_ encoded: [UInt8], transactionLengths: [Int] = []) -> [UInt8] {
        var cuts: [Int] = []
        var offset = encoded.count - transactionLengths.reduce(0) { $0 + 4 + $1 }
        for (index, length) in transactionLengths.enumerated() {
            if index > 0 && index % MerkleTree.chunkLeaves == 0 { cuts.append(offset) }
            offset += 4 + length
        }
        precondition(offset == encoded.count, "transaction lengths that do not frame the block")
        return StoredCompression.compress(encoded, level: StoredCompression.blockLevel, cuts: cuts, dictionary: true)
    }

    static func u32(_ value: UInt32) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 4)
        encoder.writeU32(value)
        return encoder.bytes
    }

    static func u64(_ value: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 8)
        encoder.writeU64(value)
        return encoder.bytes
    }
}

/// Where a committed transaction is: outlet chain, block height, position in the block.
public struct TransactionLocation: Hashable, Sendable, CustomStringConvertible {
    public let outletID: OutletID
    public let height: UInt64
    public let index: UInt32
    public let transactionID: Hash256

    public init(outletID: OutletID, height: UInt64, index: UInt32, transactionID: Hash256) {
        self.outletID = outletID
        self.height = height
        self.index = index
        self.transactionID = transactionID
    }

    public var description: String { "outlet \(outletID) height \(height) index \(index) tx \(transactionID)" }

    /// tx-index value: outlet u32 ‖ height u64 ‖ index u32.
    public var indexValue: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 16)
        encoder.writeU32(outletID)
        encoder.writeU64(height)
        encoder.writeU32(index)
        return encoder.bytes
    }

    /// idempotency value: height u64 ‖ index u32 (the transaction id is the block's).
    public var idempotencyValue: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 12)
        encoder.writeU64(height)
        encoder.writeU32(index)
        return encoder.bytes
    }

    /// The location a tx-index value names (its first 16 bytes) and the record reference
    /// that follows them (FORMAT.md §9.1), nil when the value is the location alone.
    static func indexEntry(_ bytes: [UInt8], transactionID: Hash256) throws(CodecError) -> (location: TransactionLocation, reference: [UInt8]?) {
        var decoder = CanonicalDecoder(bytes)
        let location = TransactionLocation(outletID: try decoder.readU32("outlet id"), height: try decoder.readU64("height"),
                                           index: try decoder.readU32("index"), transactionID: transactionID)
        return (location, bytes.count > 16 ? Array(bytes[16...]) : nil)
    }

    /// The height and index an idempotency value holds.
    static func idempotencyPosition(_ bytes: [UInt8]) throws(CodecError) -> (height: UInt64, index: UInt32) {
        var decoder = CanonicalDecoder(bytes)
        let height = try decoder.readU64("height")
        let index = try decoder.readU32("index")
        try decoder.finish("idempotency value")
        return (height, index)
    }
}

/// The `meta` head record of one outlet chain: height u64 ‖ block id ‖ timestamp u64 ‖
/// state root. Height 0 (no blocks) is never stored.
struct HeadRecord: Hashable, CanonicalEncodable, CanonicalDecodable {
    var height: UInt64
    var blockID: Hash256
    var timestampMs: UInt64
    var stateRoot: Hash256

    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU64(height)
        blockID.encode(to: &encoder)
        encoder.writeU64(timestampMs)
        stateRoot.encode(to: &encoder)
    }

    init(height: UInt64, blockID: Hash256, timestampMs: UInt64, stateRoot: Hash256) {
        self.height = height
        self.blockID = blockID
        self.timestampMs = timestampMs
        self.stateRoot = stateRoot
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        height = try decoder.readU64("height")
        blockID = try Hash256(from: &decoder)
        timestampMs = try decoder.readU64("timestamp")
        stateRoot = try Hash256(from: &decoder)
    }

    init(_ head: ChainHead) {
        self.init(height: head.height, blockID: head.blockID, timestampMs: head.timestampMs, stateRoot: head.stateRoot)
    }
}

extension StoreLayout {
    /// Big-endian u32 bytes (public for the auditor).
    public static func u32Bytes(_ value: UInt32) -> [UInt8] { u32(value) }

    /// The meta head record the store writes for `head`.
    public static func headRecordBytes(_ head: ChainHead) -> [UInt8] { HeadRecord(head).canonicalBytes }
}
