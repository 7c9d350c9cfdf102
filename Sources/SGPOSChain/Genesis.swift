import SGPOSCodec
import SGPOSCrypto

/// The genesis of a network: chain id, parameters, admins, outlets, validators, GST.
/// Every outlet chain starts from it; its id is block 1's previous hash.
///
/// The JSON file (``GenesisDocument``, schema in Genesis/SCHEMA.md) is what people
/// edit; the id is the hash of the canonical bytes below, so JSON formatting does not
/// matter and every field does.
public struct Genesis: Hashable, Sendable {
    /// The newest genesis encoding version (1 without ``checkpointTime``, 2 with it).
    public static let version: UInt8 = 2

    public struct Admin: Hashable, Sendable {
        public var name: String
        public var publicKey: PublicKey
        public init(name: String, publicKey: PublicKey) {
            self.name = name
            self.publicKey = publicKey
        }
    }

    public struct Outlet: Hashable, Sendable {
        public var id: OutletID
        public var name: String
        public var nodeKey: PublicKey
        public init(id: OutletID, name: String, nodeKey: PublicKey) {
            self.id = id
            self.name = name
            self.nodeKey = nodeKey
        }
    }

    public struct Validator: Hashable, Sendable {
        public var name: String
        public var publicKey: PublicKey
        public var power: UInt64
        public init(name: String, publicKey: PublicKey, power: UInt64) {
            self.name = name
            self.publicKey = publicKey
            self.power = power
        }
    }

    /// GST rate in force from a date (Singapore time) until the next entry.
    public struct GSTRate: Hashable, Sendable {
        /// `YYYY-MM-DD`.
        public var effectiveFrom: String
        /// 900 = 9%.
        public var basisPoints: UInt32
        public init(effectiveFrom: String, basisPoints: UInt32) {
            self.effectiveFrom = effectiveFrom
            self.basisPoints = basisPoints
        }
    }

    /// Whether GST is computed per line or once per invoice (IRAS allows either,
    /// applied consistently).
    public enum GSTMethod: UInt8, Sendable, CaseIterable {
        case perLine = 1
        case perInvoice = 2
        public var name: String { self == .perLine ? "per-line" : "per-invoice" }
    }

    public var chainID: ChainID
    public var genesisTimeMs: TimestampMs
    /// Most transactions a block may hold (≤ ``Limits/blockTransactionsMax``).
    public var blockTransactionsMax: UInt32
    /// Longest overlap a key rotation may grant the old key.
    public var keyRotationOverlapMsMax: UInt64
    public var gstPricesIncludeTax: Bool
    public var gstMethod: GSTMethod
    public var gstRates: [GSTRate]
    public var admins: [Admin]
    /// Ascending by id.
    public var outlets: [Outlet]
    public var validators: [Validator]
    /// The checkpoints' agreed-time bounds (docs/CONSENSUS.md §11); nil: the defaults, and
    /// the genesis encodes as version 1 (as before they existed).
    public var checkpointTime: CheckpointTimeParameters?

    /// The agreed-time bounds in force: the genesis's, or the defaults.
    public var timeParameters: CheckpointTimeParameters { checkpointTime ?? .defaults }

    public init(
        chainID: ChainID, genesisTimeMs: TimestampMs, blockTransactionsMax: UInt32,
        keyRotationOverlapMsMax: UInt64, gstPricesIncludeTax: Bool, gstMethod: GSTMethod,
        gstRates: [GSTRate], admins: [Admin], outlets: [Outlet], validators: [Validator],
        checkpointTime: CheckpointTimeParameters? = nil
    ) throws(GenesisError) {
        self.checkpointTime = checkpointTime
        self.chainID = chainID
        self.genesisTimeMs = genesisTimeMs
        self.blockTransactionsMax = blockTransactionsMax
        self.keyRotationOverlapMsMax = keyRotationOverlapMsMax
        self.gstPricesIncludeTax = gstPricesIncludeTax
        self.gstMethod = gstMethod
        self.gstRates = gstRates
        self.admins = admins
        self.outlets = outlets
        self.validators = validators
        try validate()
    }

    /// Genesis id: SHA-256("SGPOS/genesis/v1" 0x00 ‖ canonical bytes).
    public var id: Hash256 { Hash256.tagged(.genesisID, canonicalBytes) }

    public func outlet(_ id: OutletID) -> Outlet? { outlets.first { $0.id == id } }

    private func validate() throws(GenesisError) {
        guard blockTransactionsMax >= 1, Int(blockTransactionsMax) <= Limits.blockTransactionsMax else {
            throw GenesisError("parameters.blockTransactionsMax must be 1...\(Limits.blockTransactionsMax)")
        }
        guard keyRotationOverlapMsMax <= 366 * 86_400_000 else {
            throw GenesisError("parameters.keyRotationOverlapMsMax must be at most one year")
        }
        if let checkpointTime { try checkpointTime.validate() }
        guard !admins.isEmpty else { throw GenesisError("admins: at least one admin key is required") }
        for list in [admins.count, outlets.count, validators.count, gstRates.count]
        where list > Limits.genesisEntriesMax {
            throw GenesisError("a genesis list has \(list) entries; the limit is \(Limits.genesisEntriesMax)")
        }
        var keys = Set<PublicKey>()
        var adminNames = Set<String>()
        for admin in admins {
            guard adminNames.insert(admin.name).inserted else {
                throw GenesisError("admins: name \"\(admin.name)\" appears twice")
            }
            guard isValidLabel(admin.name, limit: Limits.nameBytesMax) else {
                throw GenesisError("admins: name \"\(admin.name)\" must be 1...128 bytes without control characters")
            }
            guard keys.insert(admin.publicKey).inserted else {
                throw GenesisError("admins: key \(admin.publicKey) appears twice")
            }
        }
        var previousID: OutletID = 0
        for outlet in outlets {
            guard outlet.id > previousID else {
                throw GenesisError("outlets: ids must be unique, above 0 and ascending; \(outlet.id) is not")
            }
            previousID = outlet.id
            guard isValidLabel(outlet.name, limit: Limits.nameBytesMax) else {
                throw GenesisError("outlets: name of outlet \(outlet.id) must be 1...128 bytes")
            }
            guard keys.insert(outlet.nodeKey).inserted else {
                throw GenesisError("outlets: node key of outlet \(outlet.id) is already used by another entry")
            }
        }
        guard validators.isEmpty || (4...7).contains(validators.count) else {
            throw GenesisError("validators: name 4 to 7 validators (or none); got \(validators.count)")
        }
        var validatorKeys = Set<PublicKey>()
        for validator in validators {
            guard isValidLabel(validator.name, limit: Limits.nameBytesMax), (1...1_000).contains(validator.power),
                validatorKeys.insert(validator.publicKey).inserted
            else {
                throw GenesisError("validators: \"\(validator.name)\" needs a name, a unique key and power 1...1000")
            }
        }
        var previousDate = ""
        for rate in gstRates {
            guard isISODate(rate.effectiveFrom), rate.effectiveFrom > previousDate else {
                throw GenesisError("gst.rates: effectiveFrom must be YYYY-MM-DD, ascending; \"\(rate.effectiveFrom)\" is not")
            }
            guard rate.basisPoints <= 10_000 else {
                throw GenesisError("gst.rates: basisPoints \(rate.basisPoints) is over 10000 (100%)")
            }
            previousDate = rate.effectiveFrom
        }
    }
}

/// A genesis file that cannot be used, and why.
public struct GenesisError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invalid genesis: \(message)" }
}

func isISODate(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
    let digits = [0, 1, 2, 3, 5, 6, 8, 9].map { bytes[$0] }
    guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
    let month = Int(bytes[5] - 48) * 10 + Int(bytes[6] - 48)
    let day = Int(bytes[8] - 48) * 10 + Int(bytes[9] - 48)
    return (1...12).contains(month) && (1...31).contains(day)
}

extension Genesis: CanonicalEncodable {
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(checkpointTime == nil ? 1 : 2)
        chainID.encode(to: &encoder)
        encoder.writeU64(genesisTimeMs)
        encoder.writeU32(blockTransactionsMax)
        encoder.writeU64(keyRotationOverlapMsMax)
        encoder.writeBool(gstPricesIncludeTax)
        encoder.writeU8(gstMethod.rawValue)
        encoder.writeCount(gstRates.count, limit: Limits.genesisEntriesMax)
        for rate in gstRates {
            encoder.writeString(rate.effectiveFrom, limit: 10)
            encoder.writeU32(rate.basisPoints)
        }
        encoder.writeCount(admins.count, limit: Limits.genesisEntriesMax)
        for admin in admins {
            encoder.writeString(admin.name, limit: Limits.nameBytesMax)
            admin.publicKey.encode(to: &encoder)
        }
        encoder.writeCount(outlets.count, limit: Limits.genesisEntriesMax)
        for outlet in outlets {
            encoder.writeU32(outlet.id)
            encoder.writeString(outlet.name, limit: Limits.nameBytesMax)
            outlet.nodeKey.encode(to: &encoder)
        }
        encoder.writeCount(validators.count, limit: Limits.genesisEntriesMax)
        for validator in validators {
            encoder.writeString(validator.name, limit: Limits.nameBytesMax)
            validator.publicKey.encode(to: &encoder)
            encoder.writeU64(validator.power)
        }
        if let checkpointTime {
            encoder.writeU32(checkpointTime.precisionMs)
            encoder.writeU32(checkpointTime.messageDelayMs)
            encoder.writeU64(checkpointTime.lagThresholdMs)
        }
    }
}

extension Genesis: CanonicalDecodable {
    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        let version = try decoder.readU8("genesis version")
        guard version == 1 || version == 2 else { throw .unknownVersion("genesis version \(version)", at: at) }
        let chainID = try ChainID(from: &decoder)
        let time = try decoder.readU64("genesis time")
        let blockMax = try decoder.readU32("block transactions max")
        let overlap = try decoder.readU64("key rotation overlap max")
        let inclusive = try decoder.readBool("gst prices include tax")
        let methodAt = decoder.offset
        guard let method = GSTMethod(rawValue: try decoder.readU8("gst method")) else {
            throw .unknownTag("gst method", at: methodAt)
        }
        var rates: [GSTRate] = []
        for _ in 0..<(try decoder.readCount("gst rates", limit: Limits.genesisEntriesMax)) {
            rates.append(GSTRate(
                effectiveFrom: try decoder.readString("gst effective from", limit: 10),
                basisPoints: try decoder.readU32("gst basis points")))
        }
        var admins: [Admin] = []
        for _ in 0..<(try decoder.readCount("admins", limit: Limits.genesisEntriesMax)) {
            admins.append(Admin(
                name: try decoder.readString("admin name", limit: Limits.nameBytesMax),
                publicKey: try PublicKey(from: &decoder)))
        }
        var outlets: [Outlet] = []
        for _ in 0..<(try decoder.readCount("outlets", limit: Limits.genesisEntriesMax)) {
            outlets.append(Outlet(
                id: try decoder.readU32("outlet id"),
                name: try decoder.readString("outlet name", limit: Limits.nameBytesMax),
                nodeKey: try PublicKey(from: &decoder)))
        }
        var validators: [Validator] = []
        for _ in 0..<(try decoder.readCount("validators", limit: Limits.genesisEntriesMax)) {
            validators.append(Validator(
                name: try decoder.readString("validator name", limit: Limits.nameBytesMax),
                publicKey: try PublicKey(from: &decoder),
                power: try decoder.readU64("validator power")))
        }
        var checkpointTime: CheckpointTimeParameters?
        if version == 2 {
            checkpointTime = CheckpointTimeParameters(
                precisionMs: try decoder.readU32("checkpoint time precision"),
                messageDelayMs: try decoder.readU32("checkpoint time message delay"),
                lagThresholdMs: try decoder.readU64("checkpoint time lag threshold"))
        }
        do {
            try self.init(
                chainID: chainID, genesisTimeMs: time, blockTransactionsMax: blockMax,
                keyRotationOverlapMsMax: overlap, gstPricesIncludeTax: inclusive, gstMethod: method,
                gstRates: rates, admins: admins, outlets: outlets, validators: validators, checkpointTime: checkpointTime)
        } catch {
            throw .invalidValue(error.message, at: at)
        }
    }
}

extension Genesis {
    /// Validators needed for a checkpoint chain: with fewer outlets there is none.
    public static let checkpointOutletsMin = 4

    /// Whether this network runs a checkpoint chain (every outlet node a validator).
    public var hasCheckpointChain: Bool { outlets.count >= Self.checkpointOutletsMin }
}
