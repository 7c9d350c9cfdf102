import SGPOSCodec
import SGPOSCrypto

/// Where a transaction is being applied: the chain, the outlet, the block's time.
public struct BlockContext: Sendable {
    public let genesis: Genesis
    public let outletID: OutletID
    public let height: UInt64
    /// Ledger time: the block's timestamp.
    public let timestampMs: TimestampMs

    public init(genesis: Genesis, outletID: OutletID, height: UInt64, timestampMs: TimestampMs) {
        self.genesis = genesis
        self.outletID = outletID
        self.height = height
        self.timestampMs = timestampMs
    }
}

/// Applies application bodies (type ≥ 0x0100). The POS state machine implements it;
/// without one, such bodies are refused as unsupported.
public protocol ApplicationRules: Sendable {
    /// Applies the body's effects to `state`, or throws a ``LedgerRejection``.
    func apply(
        type: UInt16, payload: [UInt8], transaction: SignedTransaction, signer: KeyRecord,
        context: BlockContext, state: inout StateOverlay) throws

    /// Application bodies an outlet's node key may sign (the node's own bookkeeping, such as
    /// settling another outlet's points claim); every other body refuses node keys.
    func nodeMaySign(type: UInt16) -> Bool

    /// The application's tables whose writes the network state is derived from: a store
    /// with a checkpoint chain keeps each block's writes to them until a checkpoint covers it.
    var networkSourceTables: Set<StateTable> { get }

    /// The application's records a store may keep as references to the transactions that
    /// wrote them (docs/FORMAT.md §9.1), or nil.
    var recordReferences: (any RecordReferences)? { get }
}

extension ApplicationRules {
    public func nodeMaySign(type: UInt16) -> Bool { false }
    public var networkSourceTables: Set<StateTable> { [] }
    public var recordReferences: (any RecordReferences)? { nil }
}

/// The registry rules every outlet chain enforces, as a pure function of the state
/// before and the transaction: no clock, no randomness, no I/O (docs/FORMAT.md §8).
public struct ChainRules: Sendable {
    public let application: (any ApplicationRules)?

    public init(application: (any ApplicationRules)? = nil) {
        self.application = application
    }

    /// The tables the network state is derived from (the application's; none without one).
    public var networkSourceTables: Set<StateTable> { application?.networkSourceTables ?? [] }

    /// Applies one transaction whose signature was already verified. On success its
    /// writes are added to `state`; on rejection `state` is unchanged.
    public func apply(
        _ transaction: SignedTransaction, context: BlockContext, state: inout StateOverlay
    ) throws {
        try state.atomically { overlay in
            try applyUnchecked(transaction, context: context, state: &overlay)
        }
    }

    private func applyUnchecked(
        _ transaction: SignedTransaction, context: BlockContext, state: inout StateOverlay
    ) throws {
        let envelope = transaction.envelope
        guard envelope.chainID == context.genesis.chainID else {
            throw LedgerRejection(.wrongChain, "transaction is for chain \"\(envelope.chainID)\", this is \"\(context.genesis.chainID)\"")
        }
        guard envelope.outletID == context.outletID else {
            throw LedgerRejection(.wrongOutlet, "transaction is for outlet \(envelope.outletID), this chain is outlet \(context.outletID)")
        }
        var signer = try authorisedSigner(envelope, context: context, state: state)
        signer.lastSequence = envelope.sequence
        state.put(.key(envelope.signer), signer.canonicalBytes)

        switch envelope.body {
        case .registerOutlet(let body):
            try registerOutlet(body, signer: signer, state: &state)
        case .registerKey(let body):
            try registerKey(body, signer: signer, context: context, state: &state)
        case .rotateKey(let body):
            try rotateKey(body, signer: signer, signerKey: envelope.signer, context: context, state: &state)
        case .revokeKey(let body):
            try revokeKey(body, signer: signer, context: context, state: &state)
        case .application(let type, let payload):
            guard let application else {
                throw LedgerRejection(.unsupportedBodyType, "body type 0x\(String(type, radix: 16)) is not supported by this ledger version")
            }
            try application.apply(
                type: type, payload: payload, transaction: transaction, signer: signer,
                context: context, state: &state)
        }
    }

    /// The signer's record if it may sign now; throws the precise reason otherwise.
    private func authorisedSigner(
        _ envelope: TransactionEnvelope, context: BlockContext, state: StateOverlay
    ) throws -> KeyRecord {
        guard let record = try readKey(envelope.signer, state) else {
            throw LedgerRejection(.unknownSigner, "signer key \(envelope.signer) is not registered")
        }
        switch record.status {
        case .active: break
        case .revoked:
            throw LedgerRejection(.signerRevoked, "signer key \(envelope.signer) (\(record.principal)) was revoked")
        case .rotated:
            guard context.timestampMs <= record.validUntilMs else {
                throw LedgerRejection(.signerRetired, "signer key \(envelope.signer) (\(record.principal)) was rotated and expired at \(record.validUntilMs) ms")
            }
        }
        if record.role == .node {
            guard case .application(let type, _) = envelope.body, application?.nodeMaySign(type: type) == true else {
                throw LedgerRejection(.nodeKeyCannotSign, "node key \(envelope.signer) signs blocks, not transactions")
            }
        }
        guard record.role == .admin || record.outletID == context.outletID else {
            throw LedgerRejection(.notAuthorized, "key \(envelope.signer) belongs to outlet \(record.outletID), not \(context.outletID)")
        }
        guard envelope.sequence > record.lastSequence else {
            throw LedgerRejection(.sequenceNotIncreasing, "sequence \(envelope.sequence) is not above the signer's last accepted \(record.lastSequence) (replay?)")
        }
        return record
    }

    private func registerOutlet(
        _ body: RegisterOutlet, signer: KeyRecord, state: inout StateOverlay
    ) throws {
        guard signer.role == .admin else {
            throw LedgerRejection(.notAuthorized, "only an admin may register an outlet; signer is a \(signer.role)")
        }
        guard body.outletID != 0, isValidLabel(body.name, limit: Limits.nameBytesMax) else {
            throw LedgerRejection(.invalidField, "outlet id must be above 0 and the name 1...128 bytes")
        }
        guard try state.read(.outlet(body.outletID)) == nil else {
            throw LedgerRejection(.outletAlreadyRegistered, "outlet \(body.outletID) is already registered")
        }
        guard try state.read(.key(body.nodeKey)) == nil else {
            throw LedgerRejection(.keyAlreadyRegistered, "key \(body.nodeKey) is already registered")
        }
        state.put(.outlet(body.outletID), OutletRecord(name: body.name, nodeKey: body.nodeKey).canonicalBytes)
        state.put(.key(body.nodeKey), KeyRecord(role: .node, outletID: body.outletID, principal: "node").canonicalBytes)
        state.put(.principal(outlet: body.outletID, role: .node, name: "node"), body.nodeKey.bytes)
    }

    private func registerKey(
        _ body: RegisterKey, signer: KeyRecord, context: BlockContext, state: inout StateOverlay
    ) throws {
        guard body.role == .operator || body.role == .till || body.role == .auditor else {
            throw LedgerRejection(.invalidField, "register-key registers operator, till or auditor keys, not \(body.role)")
        }
        guard signer.role == .admin || (signer.role == .operator && body.role == .till) else {
            throw LedgerRejection(.notAuthorized, "\(article(signer.role)) \(signer.role) may not register \(article(body.role)) \(body.role) key")
        }
        guard isValidLabel(body.principal, limit: Limits.principalBytesMax) else {
            throw LedgerRejection(.invalidField, "principal must be 1...64 bytes without control characters")
        }
        guard try state.read(.key(body.key)) == nil else {
            throw LedgerRejection(.keyAlreadyRegistered, "key \(body.key) is already registered (keys are never reused)")
        }
        let principalKey = StateKey.principal(outlet: context.outletID, role: body.role, name: body.principal)
        if let current = try state.read(principalKey) {
            throw LedgerRejection(.principalHasActiveKey, "\(body.role) \"\(body.principal)\" already has key \(Hex.encode(current)); rotate it instead")
        }
        let record = KeyRecord(role: body.role, outletID: context.outletID, principal: body.principal)
        state.put(.key(body.key), record.canonicalBytes)
        state.put(principalKey, body.key.bytes)
    }

    private func rotateKey(
        _ body: RotateKey, signer: KeyRecord, signerKey: PublicKey, context: BlockContext,
        state: inout StateOverlay
    ) throws {
        var old = try managedKey(body.oldKey, signer: signer, signerKey: signerKey, context: context, state: state)
        guard old.status == .active else {
            throw LedgerRejection(.keyNotActive, "key \(body.oldKey) is not active and cannot be rotated")
        }
        guard try state.read(.key(body.newKey)) == nil else {
            throw LedgerRejection(.keyAlreadyRegistered, "key \(body.newKey) is already registered (keys are never reused)")
        }
        let overlapMax = context.genesis.keyRotationOverlapMsMax
        guard body.oldKeyValidUntilMs <= context.timestampMs || body.oldKeyValidUntilMs - context.timestampMs <= overlapMax else {
            throw LedgerRejection(.invalidField, "old key overlap ends \(body.oldKeyValidUntilMs - context.timestampMs) ms after block time; the limit is \(overlapMax) ms")
        }
        let newRecord = KeyRecord(role: old.role, outletID: old.outletID, principal: old.principal)
        old.status = .rotated
        old.validUntilMs = body.oldKeyValidUntilMs
        state.put(.key(body.oldKey), old.canonicalBytes)
        state.put(.key(body.newKey), newRecord.canonicalBytes)
        state.put(.principal(outlet: old.outletID, role: old.role, name: old.principal), body.newKey.bytes)
    }

    private func revokeKey(
        _ body: RevokeKey, signer: KeyRecord, context: BlockContext, state: inout StateOverlay
    ) throws {
        var record = try managedKey(body.key, signer: signer, signerKey: nil, context: context, state: state)
        guard record.status != .revoked else {
            throw LedgerRejection(.keyNotActive, "key \(body.key) is already revoked")
        }
        record.status = .revoked
        state.put(.key(body.key), record.canonicalBytes)
        let principalKey = StateKey.principal(outlet: record.outletID, role: record.role, name: record.principal)
        if try state.read(principalKey) == body.key.bytes {
            state.put(principalKey, nil)
        }
    }

    /// The target of a rotate or revoke, if `signer` may manage it: admins manage
    /// operator, till and auditor keys, operators manage their outlet's tills, and a key may
    /// rotate itself (`signerKey`).
    private func managedKey(
        _ key: PublicKey, signer: KeyRecord, signerKey: PublicKey?, context: BlockContext,
        state: StateOverlay
    ) throws -> KeyRecord {
        guard let record = try readKey(key, state) else {
            throw LedgerRejection(.unknownKey, "key \(key) is not registered")
        }
        guard record.role == .operator || record.role == .till || record.role == .auditor, record.outletID == context.outletID else {
            throw LedgerRejection(.notAuthorized, "key \(key) is a \(record.role) key of outlet \(record.outletID); only this outlet's operator, till and auditor keys are managed here")
        }
        let allowed = signer.role == .admin || (signer.role == .operator && record.role == .till) || signerKey == key
        guard allowed else {
            throw LedgerRejection(.notAuthorized, "\(article(signer.role)) \(signer.role) may not manage \(record.role) key \(key)")
        }
        return record
    }

    private func readKey(_ key: PublicKey, _ state: StateOverlay) throws -> KeyRecord? {
        try state.decoded(KeyRecord.self, .key(key))
    }
}

/// "an" before roles that start with a vowel sound, "a" otherwise.
func article(_ role: KeyRole) -> String {
    role == .admin || role == .operator || role == .auditor ? "an" : "a"
}
