import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail

extension DomainTag {
    /// What an admin signs to recall a lot.
    public static let recallSignature = DomainTag("SGPOS/recall-sig/v1")
    /// Id of a product recall: hash of its canonical bytes (signature included).
    public static let recallID = DomainTag("SGPOS/recall/v1")
}

/// A product recall (FORMAT.md §9.8): a genesis admin withdraws one lot of one product
/// (GTIN and batch) from sale. A checkpoint carries it to every outlet; each outlet
/// records it on its own chain (apply-recall, §13.6), from which on its tills refuse the
/// lot. Self-authenticating: anyone holding the genesis can check it.
public struct ProductRecall: Sendable, Hashable, CanonicalEncodable, CanonicalDecodable {
    /// Recalls one checkpoint may carry.
    public static let perCheckpointMax = 16
    public static let gtinBytes = 14
    public static let lotBytesMax = 20
    public static let reasonBytesMax = 128

    public let chainID: Hash256
    /// Tells apart recalls with the same lot and reason.
    public let serial: UInt64
    /// 14 digits with their GS1 check digit.
    public let gtin: String
    /// The batch or lot number (GS1 AI 10): 1–20 bytes 0x21–0x7E.
    public let lot: String
    public let reason: String
    public let admin: PublicKey
    public let signature: Signature

    public init(chainID: Hash256, serial: UInt64, gtin: String, lot: String, reason: String, admin: SigningKey) {
        let bytes = Self.signedBytes(chainID: chainID, serial: serial, gtin: gtin, lot: lot, reason: reason, admin: admin.publicKey)
        self.init(chainID: chainID, serial: serial, gtin: gtin, lot: lot, reason: reason, admin: admin.publicKey,
                  signature: admin.sign(bytes))
    }

    init(chainID: Hash256, serial: UInt64, gtin: String, lot: String, reason: String, admin: PublicKey, signature: Signature) {
        self.chainID = chainID
        self.serial = serial
        self.gtin = gtin
        self.lot = lot
        self.reason = reason
        self.admin = admin
        self.signature = signature
    }

    /// SHA-256("SGPOS/recall/v1" 0x00 ‖ canonical bytes).
    public var id: Hash256 { Hash256.tagged(.recallID, canonicalBytes) }

    /// 14 ASCII digits whose last is the GS1 check digit of the other 13.
    public static func isValidGTIN(_ gtin: String) -> Bool {
        gtin.utf8.count == gtinBytes && gtin.utf8.allSatisfy { (0x30...0x39).contains($0) } && GS1ElementString.checkDigitHolds(gtin)
    }

    /// 1–20 bytes, each 0x21–0x7E.
    public static func isValidLot(_ lot: String) -> Bool {
        (1...lotBytesMax).contains(lot.utf8.count) && lot.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    static func signedBytes(chainID: Hash256, serial: UInt64, gtin: String, lot: String, reason: String, admin: PublicKey) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 256)
        encoder.writeFixed(DomainTag.recallSignature.prefix, count: DomainTag.recallSignature.prefix.count)
        encodeBody(chainID: chainID, serial: serial, gtin: gtin, lot: lot, reason: reason, admin: admin, to: &encoder)
        return encoder.bytes
    }

    static func encodeBody(chainID: Hash256, serial: UInt64, gtin: String, lot: String, reason: String, admin: PublicKey,
                           to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        chainID.encode(to: &encoder)
        encoder.writeU64(serial)
        encoder.writeString(gtin, limit: gtinBytes)
        encoder.writeString(lot, limit: lotBytesMax)
        encoder.writeString(reason, limit: reasonBytesMax)
        admin.encode(to: &encoder)
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        Self.encodeBody(chainID: chainID, serial: serial, gtin: gtin, lot: lot, reason: reason, admin: admin, to: &encoder)
        signature.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard try decoder.readU8("recall version") == 1 else { throw .unknownVersion("product recall", at: at) }
        chainID = try Hash256(from: &decoder)
        serial = try decoder.readU64("serial")
        gtin = try decoder.readString("GTIN", limit: Self.gtinBytes)
        lot = try decoder.readString("lot", limit: Self.lotBytesMax)
        reason = try decoder.readString("recall reason", limit: Self.reasonBytesMax)
        admin = try PublicKey(from: &decoder)
        signature = try Signature(from: &decoder)
    }

    /// Why the recall is not valid for this network, or nil when it is (FORMAT.md §9.8).
    public func problem(genesis: Genesis) -> String? {
        guard chainID == genesis.id else { return "the recall is for another network" }
        guard genesis.admins.contains(where: { $0.publicKey == admin }) else { return "the recall is not signed by a genesis admin" }
        guard Self.isValidGTIN(gtin) else { return "GTIN \(gtin) is not 14 digits with a valid check digit" }
        guard Self.isValidLot(lot) else { return "lot \"\(lot)\" must be 1-20 bytes of 0x21-0x7E" }
        let count = reason.utf8.count
        guard count >= 1, count <= Self.reasonBytesMax, reason.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            return "the reason must be 1-128 bytes without control characters"
        }
        guard admin.isValidSignature(signature, for: Self.signedBytes(chainID: chainID, serial: serial, gtin: gtin, lot: lot, reason: reason, admin: admin)) else {
            return "the admin's signature does not verify"
        }
        return nil
    }

    public func isValid(genesis: Genesis) -> Bool { problem(genesis: genesis) == nil }

    /// The network-state record (table 0x48): checkpoint height `u64` ‖ the recall's bytes.
    public func networkRecord(checkpointHeight: UInt64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 8 + 256)
        encoder.writeU64(checkpointHeight)
        encode(to: &encoder)
        return encoder.bytes
    }
}
