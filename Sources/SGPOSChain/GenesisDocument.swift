import SGPOSCodec
import SGPOSCrypto

/// The JSON form of a genesis file (Genesis/SCHEMA.md). Decode it with any JSON
/// decoder, then turn it into a validated ``Genesis`` with ``genesis()``.
public struct GenesisDocument: Codable, Hashable, Sendable {
    public static let formatName = "sgpos-genesis/1"

    public struct Parameters: Codable, Hashable, Sendable {
        /// `parameters.checkpointTime` (Genesis/SCHEMA.md).
        public struct CheckpointTime: Codable, Hashable, Sendable {
            public var precisionMs: UInt32
            public var messageDelayMs: UInt32
            public var lagThresholdMs: UInt64
            public init(precisionMs: UInt32, messageDelayMs: UInt32, lagThresholdMs: UInt64) {
                self.precisionMs = precisionMs
                self.messageDelayMs = messageDelayMs
                self.lagThresholdMs = lagThresholdMs
            }
        }
        public var blockTransactionsMax: UInt32
        public var keyRotationOverlapMsMax: UInt64
        public var checkpointTime: CheckpointTime?
        public init(blockTransactionsMax: UInt32, keyRotationOverlapMsMax: UInt64, checkpointTime: CheckpointTime? = nil) {
            self.blockTransactionsMax = blockTransactionsMax
            self.keyRotationOverlapMsMax = keyRotationOverlapMsMax
            self.checkpointTime = checkpointTime
        }
    }

    public struct GST: Codable, Hashable, Sendable {
        public struct Rate: Codable, Hashable, Sendable {
            public var effectiveFrom: String
            public var basisPoints: UInt32
            public init(effectiveFrom: String, basisPoints: UInt32) {
                self.effectiveFrom = effectiveFrom
                self.basisPoints = basisPoints
            }
        }
        public var pricesIncludeGst: Bool
        public var method: String
        public var rates: [Rate]
        public init(pricesIncludeGst: Bool, method: String, rates: [Rate]) {
            self.pricesIncludeGst = pricesIncludeGst
            self.method = method
            self.rates = rates
        }
    }

    public struct Admin: Codable, Hashable, Sendable {
        public var name: String
        public var publicKey: String
        public init(name: String, publicKey: String) {
            self.name = name
            self.publicKey = publicKey
        }
    }

    public struct Outlet: Codable, Hashable, Sendable {
        public var id: UInt32
        public var name: String
        public var nodeKey: String
        public init(id: UInt32, name: String, nodeKey: String) {
            self.id = id
            self.name = name
            self.nodeKey = nodeKey
        }
    }

    public struct Validator: Codable, Hashable, Sendable {
        public var name: String
        public var publicKey: String
        public var power: UInt64
        public init(name: String, publicKey: String, power: UInt64) {
            self.name = name
            self.publicKey = publicKey
            self.power = power
        }
    }

    public var format: String
    public var chainId: String
    public var genesisTimeMs: UInt64
    public var parameters: Parameters
    public var gst: GST
    public var admins: [Admin]
    public var outlets: [Outlet]
    public var validators: [Validator]

    public init(
        format: String, chainId: String, genesisTimeMs: UInt64, parameters: Parameters, gst: GST,
        admins: [Admin], outlets: [Outlet], validators: [Validator]
    ) {
        self.format = format
        self.chainId = chainId
        self.genesisTimeMs = genesisTimeMs
        self.parameters = parameters
        self.gst = gst
        self.admins = admins
        self.outlets = outlets
        self.validators = validators
    }

    /// The JSON form of an existing genesis.
    public init(_ genesis: Genesis) {
        format = GenesisDocument.formatName
        chainId = genesis.chainID.value
        genesisTimeMs = genesis.genesisTimeMs
        parameters = Parameters(
            blockTransactionsMax: genesis.blockTransactionsMax,
            keyRotationOverlapMsMax: genesis.keyRotationOverlapMsMax,
            checkpointTime: genesis.checkpointTime.map {
                .init(precisionMs: $0.precisionMs, messageDelayMs: $0.messageDelayMs, lagThresholdMs: $0.lagThresholdMs)
            })
        gst = GST(
            pricesIncludeGst: genesis.gstPricesIncludeTax, method: genesis.gstMethod.name,
            rates: genesis.gstRates.map { GST.Rate(effectiveFrom: $0.effectiveFrom, basisPoints: $0.basisPoints) })
        admins = genesis.admins.map { Admin(name: $0.name, publicKey: $0.publicKey.hex) }
        outlets = genesis.outlets.map { Outlet(id: $0.id, name: $0.name, nodeKey: $0.nodeKey.hex) }
        validators = genesis.validators.map {
            Validator(name: $0.name, publicKey: $0.publicKey.hex, power: $0.power)
        }
    }

    /// Validates the document and builds the ``Genesis`` it describes.
    public func genesis() throws(GenesisError) -> Genesis {
        guard format == GenesisDocument.formatName else {
            throw GenesisError("format must be \"\(GenesisDocument.formatName)\", got \"\(format)\"")
        }
        guard let chainID = ChainID(chainId) else {
            throw GenesisError("chainId \"\(chainId)\" must be 1...64 bytes of [a-z0-9-]")
        }
        guard let method = Genesis.GSTMethod.allCases.first(where: { $0.name == gst.method }) else {
            throw GenesisError("gst.method must be \"per-line\" or \"per-invoice\", got \"\(gst.method)\"")
        }
        func key(_ hex: String, _ field: String) throws(GenesisError) -> PublicKey {
            guard let key = PublicKey(hex: hex) else {
                throw GenesisError("\(field): \"\(hex)\" is not a 64-hex-digit Ed25519 public key")
            }
            return key
        }
        var admins: [Genesis.Admin] = []
        for admin in self.admins {
            admins.append(Genesis.Admin(name: admin.name, publicKey: try key(admin.publicKey, "admins.publicKey")))
        }
        var outlets: [Genesis.Outlet] = []
        for outlet in self.outlets {
            outlets.append(Genesis.Outlet(
                id: outlet.id, name: outlet.name, nodeKey: try key(outlet.nodeKey, "outlets.nodeKey")))
        }
        var validators: [Genesis.Validator] = []
        for validator in self.validators {
            validators.append(Genesis.Validator(
                name: validator.name, publicKey: try key(validator.publicKey, "validators.publicKey"),
                power: validator.power))
        }
        return try Genesis(
            chainID: chainID, genesisTimeMs: genesisTimeMs,
            blockTransactionsMax: parameters.blockTransactionsMax,
            keyRotationOverlapMsMax: parameters.keyRotationOverlapMsMax,
            gstPricesIncludeTax: gst.pricesIncludeGst, gstMethod: method,
            gstRates: gst.rates.map { Genesis.GSTRate(effectiveFrom: $0.effectiveFrom, basisPoints: $0.basisPoints) },
            admins: admins, outlets: outlets, validators: validators,
            checkpointTime: parameters.checkpointTime.map {
                CheckpointTimeParameters(precisionMs: $0.precisionMs, messageDelayMs: $0.messageDelayMs, lagThresholdMs: $0.lagThresholdMs)
            })
    }
}
