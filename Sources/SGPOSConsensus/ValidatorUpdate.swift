import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

extension DomainTag {
    /// What an admin signs to change the validator set.
    public static let validatorUpdateSignature = DomainTag("SGPOS/validator-update-sig/v1")
    /// Id of a validator update: hash of its canonical bytes (signature included).
    public static let validatorUpdateID = DomainTag("SGPOS/validator-update/v1")
}

/// A change to the validator set, signed by a genesis admin and carried in a checkpoint
/// (docs/CONSENSUS.md §9, FORMAT.md §9.5). A checkpoint at height H that carries it changes
/// the set from height H + 2: every validator of H + 1 is already known when H is decided,
/// so the next height's messages can be checked the moment they arrive.
///
/// Each change sets a validator's power; power 0 removes it; a key not in the set is added
/// at the end. A key change is one update removing the old key and adding the new one.
public struct ValidatorUpdate: Sendable, Hashable, CanonicalEncodable, CanonicalDecodable {
    public struct Change: Sendable, Hashable {
        public let key: PublicKey
        /// 0 removes the validator; otherwise 1...1000.
        public let power: UInt64
        public init(key: PublicKey, power: UInt64) {
            self.key = key
            self.power = power
        }
    }

    /// Updates one checkpoint may carry.
    public static let perCheckpointMax = 4
    static let changesMax = 14

    public let chainID: Hash256
    /// Chosen by the admin (for example a timestamp): two updates with the same changes
    /// are told apart by it. Each update id is applied once.
    public let serial: UInt64
    /// Ascending by key, each key once.
    public let changes: [Change]
    public let admin: PublicKey
    public let signature: Signature

    /// Signs `changes` (put in canonical order) with a genesis admin's key.
    public init(chainID: Hash256, serial: UInt64, changes: [Change], admin: SigningKey) {
        let sorted = changes.sorted { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }
        let bytes = Self.signedBytes(chainID: chainID, serial: serial, changes: sorted, admin: admin.publicKey)
        self.init(chainID: chainID, serial: serial, changes: sorted, admin: admin.publicKey, signature: admin.sign(bytes))
    }

    init(chainID: Hash256, serial: UInt64, changes: [Change], admin: PublicKey, signature: Signature) {
        self.chainID = chainID
        self.serial = serial
        self.changes = changes
        self.admin = admin
        self.signature = signature
    }

    /// SHA-256("SGPOS/validator-update/v1" 0x00 ‖ canonical bytes).
    public var id: Hash256 { Hash256.tagged(.validatorUpdateID, canonicalBytes) }

    static func signedBytes(chainID: Hash256, serial: UInt64, changes: [Change], admin: PublicKey) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 64 + changes.count * 40)
        encoder.writeFixed(DomainTag.validatorUpdateSignature.prefix, count: DomainTag.validatorUpdateSignature.prefix.count)
        encodeBody(chainID: chainID, serial: serial, changes: changes, admin: admin, to: &encoder)
        return encoder.bytes
    }

    static func encodeBody(chainID: Hash256, serial: UInt64, changes: [Change], admin: PublicKey, to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        chainID.encode(to: &encoder)
        encoder.writeU64(serial)
        encoder.writeCount(changes.count, limit: changesMax)
        for change in changes {
            change.key.encode(to: &encoder)
            encoder.writeU64(change.power)
        }
        admin.encode(to: &encoder)
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        Self.encodeBody(chainID: chainID, serial: serial, changes: changes, admin: admin, to: &encoder)
        signature.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard try decoder.readU8("validator update version") == 1 else { throw .unknownVersion("validator update", at: at) }
        chainID = try Hash256(from: &decoder)
        serial = try decoder.readU64("serial")
        let count = try decoder.readCount("validator changes", limit: Self.changesMax)
        var changes: [Change] = []
        for _ in 0..<count {
            let position = decoder.offset
            let change = Change(key: try PublicKey(from: &decoder), power: try decoder.readU64("power"))
            if let previous = changes.last, !previous.key.bytes.lexicographicallyPrecedes(change.key.bytes) {
                throw .nonCanonical("validator changes must ascend by key, each key once", at: position)
            }
            changes.append(change)
        }
        self.changes = changes
        admin = try PublicKey(from: &decoder)
        signature = try Signature(from: &decoder)
    }

    /// Why an update cannot apply; the message names what to fix.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Whether a genesis admin signed this update for this network.
    public func isAuthorised(genesis: Genesis) -> Bool {
        chainID == genesis.id && genesis.admins.contains { $0.publicKey == admin }
            && admin.isValidSignature(signature, for: Self.signedBytes(chainID: chainID, serial: serial, changes: changes, admin: admin))
    }

    /// The set after this update: existing validators keep their order, removed ones
    /// leave, new keys are appended in key order. Refused unless a genesis admin signed it
    /// and the result has 4–7 validators with powers 1...1000.
    public func applied(to set: ValidatorSet, genesis: Genesis) throws(Refusal) -> ValidatorSet {
        guard isAuthorised(genesis: genesis) else {
            throw Refusal("validator update \(id) is not signed by a genesis admin of this network")
        }
        guard !changes.isEmpty else { throw Refusal("validator update \(id) changes nothing") }
        var keys = set.keys, powers = set.powers
        for change in changes {
            if let index = keys.firstIndex(of: change.key) {
                if change.power == 0 {
                    keys.remove(at: index)
                    powers.remove(at: index)
                } else {
                    powers[index] = change.power
                }
            } else {
                guard change.power > 0 else { throw Refusal("validator update \(id) removes \(change.key.hex), which is not a validator") }
                keys.append(change.key)
                powers.append(change.power)
            }
        }
        guard ValidatorSet.sizeRange.contains(keys.count) else {
            throw Refusal("validator update \(id) would leave \(keys.count) validators; a set holds 4 to 7")
        }
        guard powers.allSatisfy({ ValidatorSet.powerRange.contains($0) }) else {
            throw Refusal("validator update \(id) sets a power outside 1...1000")
        }
        return ValidatorSet(keys: keys, powers: powers)
    }

    /// The network-state record (FORMAT.md §9.4, table 0x44): checkpoint height `u64` ‖
    /// height the change takes effect `u64`.
    public func networkRecord(checkpointHeight: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 16)
        encoder.writeU64(checkpointHeight)
        encoder.writeU64(checkpointHeight + 2)
        return encoder.bytes
    }
}
