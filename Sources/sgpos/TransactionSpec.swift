import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore

/// A transaction described in JSON for `sgpos chain append` (docs/OPERATIONS.md):
/// `{"signer": "keys/admin-hq-admin.key", "body": {"type": "register-key", ...}}`,
/// with optional `sequence`, `idempotencyId` (32 hex digits) and `timestampMs`. Key-file
/// paths are relative to the transactions file (to the working directory on standard input).
struct TransactionSpec: Codable {
    struct Body: Codable {
        var type: String
        var outletId: UInt32?
        var name: String?
        var nodeKey: String?
        var publicKey: String?
        var keyFile: String?
        var role: String?
        var principal: String?
        var oldKey: String?
        var newKey: String?
        var newKeyFile: String?
        var oldKeyValidUntilMs: UInt64?
        var reason: String?
    }

    var signer: String
    var sequence: UInt64?
    var idempotencyId: String?
    var timestampMs: UInt64?
    var body: Body

    /// This spec with its key-file paths — `signer`, `body.keyFile`, `body.newKeyFile`, and
    /// `body.publicKey`, `oldKey`, `newKey` when they are paths rather than 64 hex digits —
    /// resolved against `directory` (the transactions file's: paths resolve from the file
    /// that names them, as the node configuration's do). Absolute paths stay as they are.
    func resolved(against directory: String?) -> TransactionSpec {
        guard let directory, !directory.isEmpty else { return self }
        func path(_ text: String?) -> String? {
            guard let text, !text.hasPrefix("/") else { return text }
            return directory + "/" + text
        }
        func keyOrPath(_ text: String?) -> String? {
            guard let text, PublicKey(hex: text) == nil else { return text }
            return path(text)
        }
        var copy = self
        copy.signer = path(signer)!
        copy.body.keyFile = path(body.keyFile)
        copy.body.newKeyFile = path(body.newKeyFile)
        copy.body.publicKey = keyOrPath(body.publicKey)
        copy.body.oldKey = keyOrPath(body.oldKey)
        copy.body.newKey = keyOrPath(body.newKey)
        return copy
    }

    /// Reads a public key given as 64 hex digits or as a key-file path.
    static func publicKey(_ text: String?, file: String?, field: String) throws -> PublicKey {
        if let file { return try KeyFile.load(file).publicKey }
        guard let text else { throw CLIError("body.\(field) is required") }
        if let key = PublicKey(hex: text) { return key }
        if FileManager.default.fileExists(atPath: text) { return try KeyFile.load(text).publicKey }
        throw CLIError("body.\(field): \"\(text)\" is neither 64 hex digits nor a key file")
    }

    func transactionBody() throws -> TransactionBody {
        switch body.type {
        case "register-outlet":
            guard let outletId = body.outletId, let name = body.name else {
                throw CLIError("register-outlet needs body.outletId and body.name")
            }
            return .registerOutlet(RegisterOutlet(
                outletID: outletId, name: name, nodeKey: try Self.publicKey(body.nodeKey, file: nil, field: "nodeKey")))
        case "register-key":
            guard let roleName = body.role, let role = KeyRole(name: roleName), let principal = body.principal else {
                throw CLIError("register-key needs body.role (operator|till|auditor) and body.principal")
            }
            return .registerKey(RegisterKey(
                key: try Self.publicKey(body.publicKey, file: body.keyFile, field: "publicKey"), role: role, principal: principal))
        case "rotate-key":
            return .rotateKey(RotateKey(
                oldKey: try Self.publicKey(body.oldKey, file: nil, field: "oldKey"),
                newKey: try Self.publicKey(body.newKey, file: body.newKeyFile, field: "newKey"),
                oldKeyValidUntilMs: body.oldKeyValidUntilMs ?? 0))
        case "revoke-key":
            guard let reasonName = body.reason, let reason = RevocationReason(name: reasonName) else {
                throw CLIError("revoke-key needs body.reason: \(RevocationReason.allCases.map(\.description).joined(separator: "|"))")
            }
            return .revokeKey(RevokeKey(key: try Self.publicKey(body.publicKey, file: body.keyFile, field: "publicKey"), reason: reason))
        default:
            throw CLIError("body.type \"\(body.type)\" is not one of register-outlet, register-key, rotate-key, revoke-key")
        }
    }
}

/// Signs transaction specs, filling in sequence numbers from the stored state.
struct TransactionSigner {
    let store: LedgerStore
    let outletID: OutletID
    private var nextSequence: [PublicKey: UInt64] = [:]

    init(store: LedgerStore, outletID: OutletID) {
        self.store = store
        self.outletID = outletID
    }

    /// The last sequence the chain accepted from `key` (0 if none).
    func lastSequence(_ key: PublicKey) throws -> UInt64 {
        try store.environment.read { transaction in
            guard let bytes = try store.stateReader(outletID, transaction).read(.key(key)) else { return 0 }
            return try KeyRecord(canonicalBytes: bytes).lastSequence
        }
    }

    mutating func sign(_ spec: TransactionSpec, now: TimestampMs) throws -> SignedTransaction {
        let key = try KeyFile.load(spec.signer)
        let sequence: UInt64
        if let given = spec.sequence {
            sequence = given
        } else {
            sequence = try nextSequence[key.publicKey] ?? (lastSequence(key.publicKey) &+ 1)
        }
        nextSequence[key.publicKey] = sequence &+ 1  // after 2^64 − 1: 0, which the chain refuses
        let idempotency: IdempotencyID
        if let hex = spec.idempotencyId {
            guard let id = IdempotencyID(hex: hex) else { throw CLIError("idempotencyId must be 32 hex digits, got \"\(hex)\"") }
            idempotency = id
        } else {
            idempotency = IdempotencyID(bytes: secureRandomBytes(IdempotencyID.byteCount))!
        }
        let envelope = TransactionEnvelope(
            chainID: store.genesis.chainID, outletID: outletID, signer: key.publicKey, sequence: sequence,
            idempotencyID: idempotency, timestampMs: spec.timestampMs ?? now, body: try spec.transactionBody())
        return envelope.signed(by: key)
    }
}
