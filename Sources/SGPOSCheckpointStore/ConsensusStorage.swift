import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSStore

/// The consensus tables of a node's LMDB environment (docs/FORMAT.md §9): the validator's
/// signing state, and the checkpoint chain (every decided checkpoint's commit certificate
/// by height).
public struct ConsensusStorage: Sendable {
    public let environment: LMDBEnvironment
    let validator: LMDBDatabase
    let checkpoints: LMDBDatabase
    static let validatorKey = Array("validator-state".utf8)

    public init(environment: LMDBEnvironment) throws {
        self.environment = environment
        validator = try environment.openDatabase("consensus")
        checkpoints = try environment.openDatabase("checkpoints")
    }

    public func validatorState() throws -> PersistedValidatorState? {
        try environment.read { transaction in
            try transaction.get(validator, Self.validatorKey).map { try PersistedValidatorState(canonicalBytes: $0) }
        }
    }

    /// Durable when it returns (the environment's durable commit).
    public func saveValidatorState(_ state: PersistedValidatorState) throws {
        try environment.write { transaction in try put(state, transaction) }
    }

    public func store(_ certificate: CommitCertificate) throws {
        try environment.write { transaction in try put(certificate, transaction) }
    }

    /// A decision, in one write transaction: the commit certificate of height H and the
    /// validator's signing state at H + 1 (``TendermintCore``'s move past H: no lock, no
    /// valid value, the last signed position kept). Durable when it returns; after a crash
    /// both are on disk or neither.
    ///
    /// Written apart (``store(_:)``, then ``saveValidatorState(_:)``), a crash between the
    /// two fsyncs left checkpoint H stored with the signing state still at H, and a restart
    /// had to notice and finish the move (docs/CONSENSUS.md §3). One transaction leaves
    /// the validator before H (H decided again from the certificates the others gossip)
    /// or past it, never between, and costs one fsync instead of two.
    public func storeDecision(_ certificate: CommitCertificate, nextState: PersistedValidatorState) throws {
        try storeDecision(certificate, nextState: nextState, afterCertificate: {})
    }

    /// ``storeDecision(_:nextState:)`` with `afterCertificate` run between the two puts,
    /// inside the transaction (tests make it throw: a write that fails midway).
    func storeDecision(_ certificate: CommitCertificate, nextState: PersistedValidatorState,
                       afterCertificate: () throws -> Void) throws {
        precondition(nextState.height == certificate.height + 1, "a decision moves the validator to the next height")
        try environment.write { transaction in
            try put(certificate, transaction)
            try afterCertificate()
            try put(nextState, transaction)
        }
    }

    func put(_ certificate: CommitCertificate, _ transaction: LMDBTransaction) throws {
        try transaction.put(checkpoints, Self.key(certificate.height), certificate.canonicalBytes)
    }

    func put(_ state: PersistedValidatorState, _ transaction: LMDBTransaction) throws {
        try transaction.put(validator, Self.validatorKey, state.canonicalBytes)
    }

    public func certificate(height: UInt64) throws -> CommitCertificate? {
        try environment.read { transaction in
            try transaction.get(checkpoints, Self.key(height)).map { try CommitCertificate(canonicalBytes: $0) }
        }
    }

    /// The newest stored checkpoint.
    public func latest() throws -> CommitCertificate? {
        try environment.read { transaction in
            try transaction.last(checkpoints, prefix: []).map { try CommitCertificate(canonicalBytes: $0.value) }
        }
    }

    /// Every stored certificate in height order (bounded by `limit`).
    public func all(limit: Int = 1_000_000) throws -> [CommitCertificate] {
        try environment.read { transaction in
            var found: [CommitCertificate] = []
            _ = try transaction.scan(checkpoints, limit: limit) { _, value in
                found.append(try CommitCertificate(canonicalBytes: value))
                return true
            }
            return found
        }
    }

    /// Visits every stored certificate in height order inside `transaction` (a read of the
    /// environment the store shares with the ledger) while `body` returns true.
    public func forEachCertificate(_ transaction: LMDBTransaction, _ body: (CommitCertificate) throws -> Bool) throws {
        try transaction.scan(checkpoints) { _, value in try body(try CommitCertificate(canonicalBytes: value)) }
    }

    static func key(_ height: UInt64) -> [UInt8] { withUnsafeBytes(of: height.bigEndian) { Array($0) } }
}

/// ``ValidatorStateStore`` on LMDB: saved with a durable commit before a signature leaves.
public final class LMDBValidatorStateStore: ValidatorStateStore, Sendable {
    let storage: ConsensusStorage

    public init(_ storage: ConsensusStorage) { self.storage = storage }

    public func load() -> PersistedValidatorState? {
        do { return try storage.validatorState() } catch {
            // An unreadable state must not be taken for a fresh validator: stop here.
            preconditionFailure("the validator state in LMDB cannot be read: \(error); run `sgpos node recover`")
        }
    }

    public func save(_ state: PersistedValidatorState) {
        do { try storage.saveValidatorState(state) } catch {
            // Signing without the state on disk could double-vote after a crash: stop.
            preconditionFailure("the validator state could not be saved durably: \(error)")
        }
    }
}

extension ConsensusStorage {
    /// `sgpos node recover`: marks the validator as recovering (state at height 0). On its
    /// next start it listens for a quorum's heights and signs only above the highest
    /// (docs/CONSENSUS.md §3, docs/OPERATIONS.md).
    public func markRecovering() throws {
        try saveValidatorState(PersistedValidatorState(height: 0))
    }
}
