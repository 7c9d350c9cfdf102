import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// A signed block header as carried in proof files (hex).
public struct SignedHeaderJSON: Codable, Hashable, Sendable {
    public var header: String
    public var signature: String

    public init(_ block: Block) {
        self.init(header: block.header, signature: block.signature)
    }

    public init(header: BlockHeader, signature: Signature) {
        self.header = Hex.encode(header.canonicalBytes)
        self.signature = signature.hex
    }

    public func decode(_ what: String) throws(ProofError) -> (header: BlockHeader, signature: Signature) {
        guard let raw = Hex.decode(header), let header = try? BlockHeader(canonicalBytes: raw) else {
            throw ProofError("\(what) header is not a canonical block header")
        }
        guard let signature = Signature(hex: signature) else { throw ProofError("\(what) signature is not 64 bytes of hex") }
        return (header, signature)
    }
}

/// Proof that a transaction is in an outlet block, and that block in a later head's
/// history (docs/FORMAT.md §11). Verifiable with the genesis file alone.
public struct TransactionProof: Codable, Hashable, Sendable {
    public static let formatName = "sgpos-tx-proof/1"
    public var format: String
    public var chainId: String
    public var genesisId: String
    public var transaction: String
    public var transactionId: String
    public var block: SignedHeaderJSON
    public var leafIndex: UInt64
    public var inclusionPath: [String]
    /// A later block whose history root covers `block`; nil when `block` is the head.
    public var head: SignedHeaderJSON?
    public var historyPath: [String]

    public init(format: String, chainId: String, genesisId: String, transaction: String, transactionId: String,
                block: SignedHeaderJSON, leafIndex: UInt64, inclusionPath: [String], head: SignedHeaderJSON?, historyPath: [String]) {
        self.format = format
        self.chainId = chainId
        self.genesisId = genesisId
        self.transaction = transaction
        self.transactionId = transactionId
        self.block = block
        self.leafIndex = leafIndex
        self.inclusionPath = inclusionPath
        self.head = head
        self.historyPath = historyPath
    }
}

/// Proof that a chain's newer head extends an older one (RFC 9162 consistency over
/// the history tree, plus the old block's inclusion in the new history).
public struct ConsistencyProof: Codable, Hashable, Sendable {
    public static let formatName = "sgpos-consistency-proof/1"
    public var format: String
    public var chainId: String
    public var genesisId: String
    public var outletId: UInt32
    public var old: SignedHeaderJSON
    public var new: SignedHeaderJSON
    public var consistencyPath: [String]
    public var oldBlockPath: [String]

    public init(format: String, chainId: String, genesisId: String, outletId: UInt32, old: SignedHeaderJSON, new: SignedHeaderJSON,
                consistencyPath: [String], oldBlockPath: [String]) {
        self.format = format
        self.chainId = chainId
        self.genesisId = genesisId
        self.outletId = outletId
        self.old = old
        self.new = new
        self.consistencyPath = consistencyPath
        self.oldBlockPath = oldBlockPath
    }
}

/// A proof that does not verify, or cannot be built, and why.
public struct ProofError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Checks proofs against a genesis only: trusts no node.
public struct ProofVerifier: Sendable {
    public let genesis: Genesis
    public init(genesis: Genesis) { self.genesis = genesis }

    /// What a verified transaction proof establishes.
    public struct TransactionFacts: Sendable {
        public let transactionID: Hash256
        public let outletID: OutletID
        public let height: UInt64
        public let index: UInt64
        public let headHeight: UInt64
        public let envelope: TransactionEnvelope
    }

    public func verify(_ proof: TransactionProof) throws(ProofError) -> TransactionFacts {
        try checkNetwork(format: proof.format, expected: TransactionProof.formatName, chainId: proof.chainId, genesisId: proof.genesisId)
        guard let raw = Hex.decode(proof.transaction), let signed = try? SignedTransaction(encoded: raw) else {
            throw ProofError("transaction is not a canonical signed transaction")
        }
        guard signed.id.hex == proof.transactionId.lowercased() else {
            throw ProofError("transaction bytes hash to \(signed.id), not the claimed \(proof.transactionId)")
        }
        guard signed.hasValidSignature else { throw ProofError("transaction signature does not verify") }
        let (header, signature) = try proof.block.decode("block")
        try checkProducer(header, signature, "block")
        guard signed.envelope.outletID == header.outletID, signed.envelope.chainID == genesis.chainID else {
            throw ProofError("transaction names outlet \(signed.envelope.outletID), block is outlet \(header.outletID)")
        }
        let path = try hashes(proof.inclusionPath, "inclusionPath")
        guard MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(signed.id.bytes), leafIndex: proof.leafIndex,
                                         treeSize: UInt64(header.transactionCount), path: path, root: header.transactionRoot) else {
            throw ProofError("inclusion path does not lead from the transaction to the block's transaction root")
        }
        var headHeight = header.height
        if let head = proof.head {
            let (headHeader, headSignature) = try head.decode("head")
            try checkProducer(headHeader, headSignature, "head")
            guard headHeader.outletID == header.outletID, headHeader.height > header.height else {
                throw ProofError("head must be a later block of the same outlet chain")
            }
            let historyPath = try hashes(proof.historyPath, "historyPath")
            guard MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(header.id.bytes), leafIndex: header.height - 1,
                                             treeSize: headHeader.height - 1, path: historyPath, root: headHeader.historyRoot) else {
                throw ProofError("history path does not lead from the block to the head's history root")
            }
            headHeight = headHeader.height
        }
        return TransactionFacts(transactionID: signed.id, outletID: header.outletID, height: header.height,
                                index: proof.leafIndex, headHeight: headHeight, envelope: signed.envelope)
    }

    public func verify(_ proof: ConsistencyProof) throws(ProofError) -> (old: BlockHeader, new: BlockHeader) {
        try checkNetwork(format: proof.format, expected: ConsistencyProof.formatName, chainId: proof.chainId, genesisId: proof.genesisId)
        let (old, oldSignature) = try proof.old.decode("old")
        let (new, newSignature) = try proof.new.decode("new")
        try checkProducer(old, oldSignature, "old")
        try checkProducer(new, newSignature, "new")
        guard old.outletID == proof.outletId, new.outletID == proof.outletId, old.height < new.height else {
            throw ProofError("old and new must be blocks of outlet \(proof.outletId) with old below new")
        }
        guard MerkleTree.verifyConsistency(firstSize: old.height - 1, secondSize: new.height - 1, firstRoot: old.historyRoot,
                                           secondRoot: new.historyRoot, path: try hashes(proof.consistencyPath, "consistencyPath")) else {
            throw ProofError("consistency path does not show the new history extending the old one")
        }
        guard MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(old.id.bytes), leafIndex: old.height - 1, treeSize: new.height - 1,
                                         path: try hashes(proof.oldBlockPath, "oldBlockPath"), root: new.historyRoot) else {
            throw ProofError("the old block is not in the new head's history")
        }
        return (old, new)
    }

    private func checkNetwork(format: String, expected: String, chainId: String, genesisId: String) throws(ProofError) {
        guard format == expected else { throw ProofError("format is \"\(format)\", expected \"\(expected)\"") }
        guard chainId == genesis.chainID.value, genesisId.lowercased() == genesis.id.hex else {
            throw ProofError("proof is for chain \(chainId) genesis \(genesisId), not this genesis \(genesis.chainID) \(genesis.id)")
        }
    }

    private func checkProducer(_ header: BlockHeader, _ signature: Signature, _ what: String) throws(ProofError) {
        guard header.chainID == genesis.chainID else { throw ProofError("\(what) is from chain \(header.chainID)") }
        guard let outlet = genesis.outlet(header.outletID), outlet.nodeKey == header.producer else {
            throw ProofError("\(what) producer \(header.producer) is not the genesis node key of outlet \(header.outletID)")
        }
        guard header.producer.isValidSignature(signature, for: header.signingMessage) else {
            throw ProofError("\(what) signature does not verify under outlet \(header.outletID)'s node key")
        }
    }

    public func hashes(_ hex: [String], _ field: String) throws(ProofError) -> [Hash256] {
        guard hex.count <= 128 else { throw ProofError("\(field) has \(hex.count) entries; at most 128") }
        var result: [Hash256] = []
        for item in hex {
            guard let hash = Hash256(hex: item) else { throw ProofError("\(field) holds \"\(item)\", not 64 hex digits") }
            result.append(hash)
        }
        return result
    }
}
