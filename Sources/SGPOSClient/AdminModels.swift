// Request and response types of the validator and allowance admin routes
// (docs/API.md, docs/CONSENSUS.md), shared by the node and its clients.
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto

extension API {
    /// One validator of a set: its index in votes, key and voting power.
    public struct Validator: Codable, Sendable, Hashable {
        public let index: UInt16
        public let publicKey: String
        public let power: UInt64

        public init(index: UInt16, publicKey: String, power: UInt64) {
            self.index = index
            self.publicKey = publicKey
            self.power = power
        }
    }

    /// The validators of one checkpoint height.
    public struct ValidatorSetJSON: Codable, Sendable, Hashable {
        public let height: UInt64
        public let totalPower: UInt64
        /// Precommit power that makes a checkpoint final (more than 2/3 of the total).
        public let quorum: UInt64
        public let validators: [Validator]

        public init(height: UInt64, _ set: ValidatorSet) {
            self.height = height
            totalPower = set.totalPower
            quorum = set.quorum
            validators = set.keys.indices.map { Validator(index: UInt16($0), publicKey: set.keys[$0].hex, power: set.powers[$0]) }
        }
    }

    /// `GET /v1/validators`: the set deciding the working height, the one after, and the
    /// updates this node holds that no checkpoint carried yet.
    public struct Validators: Codable, Sendable {
        public let current: ValidatorSetJSON
        public let next: ValidatorSetJSON
        public let pending: [ValidatorUpdateJSON]

        public init(current: ValidatorSetJSON, next: ValidatorSetJSON, pending: [ValidatorUpdateJSON]) {
            self.current = current
            self.next = next
            self.pending = pending
        }
    }

    /// A validator update (docs/CONSENSUS.md §9); `update` is its canonical bytes in hex.
    public struct ValidatorUpdateJSON: Codable, Sendable {
        public struct Change: Codable, Sendable {
            public let publicKey: String
            public let power: UInt64

            public init(publicKey: String, power: UInt64) {
                self.publicKey = publicKey
                self.power = power
            }
        }
        public let id: String
        public let serial: UInt64
        public let admin: String
        public let changes: [Change]

        public init(_ update: ValidatorUpdate) {
            id = update.id.hex
            serial = update.serial
            admin = update.admin.hex
            changes = update.changes.map { Change(publicKey: $0.key.hex, power: $0.power) }
        }
    }

    /// `POST /v1/admin/validator-updates` body.
    public struct ValidatorUpdateSubmission: Codable, Sendable {
        public var update: String
        public init(update: String) { self.update = update }
    }

    /// The answer: accepted into this node's pool; a checkpoint at height ≥ `carriedFrom`
    /// can carry it, and it changes the set two heights after the one that does.
    public struct ValidatorUpdateAccepted: Codable, Sendable {
        public let id: String
        public let carriedFrom: UInt64
        public let effectiveFrom: UInt64

        public init(id: String, carriedFrom: UInt64, effectiveFrom: UInt64) {
            self.id = id
            self.carriedFrom = carriedFrom
            self.effectiveFrom = effectiveFrom
        }
    }
}

extension API {
    /// `GET /v1/allowance`: what a till states in a points claim (docs/CONSENSUS.md §10) —
    /// the newest checkpoint this node's network state is at, the outlet's block height it
    /// covers, the outlet's unsettled claims and allowance then — and what is left to claim.
    public struct Allowance: Codable, Sendable {
        public let outletId: UInt32
        public let checkpoint: UInt64
        public let covered: UInt64
        public let outstanding: Int64
        public let allowance: Int64
        public let granted: Int64
        public let losses: Int64
        /// Points this outlet claimed in blocks the checkpoint does not cover yet.
        public let claimedSince: Int64
        /// allowance − outstanding − claimedSince, not below 0.
        public let available: Int64

        public init(outletId: UInt32, checkpoint: UInt64, covered: UInt64, outstanding: Int64, allowance: Int64, granted: Int64, losses: Int64, claimedSince: Int64, available: Int64) {
            self.outletId = outletId
            self.checkpoint = checkpoint
            self.covered = covered
            self.outstanding = outstanding
            self.allowance = allowance
            self.granted = granted
            self.losses = losses
            self.claimedSince = claimedSince
            self.available = available
        }
    }

    /// `POST /v1/admin/allowance-grants` body: the grant's canonical bytes, hex.
    public struct AllowanceGrantSubmission: Codable, Sendable {
        public var grant: String
        public init(grant: String) { self.grant = grant }
    }

    public struct RecallSubmission: Codable, Sendable {
        /// The product recall's canonical bytes, hex (FORMAT.md §9.8).
        public var recall: String
        public init(recall: String) { self.recall = recall }
    }

    public struct RecallAccepted: Codable, Sendable {
        public let id: String
        public let gtin: String
        public let lot: String
        public init(id: String, gtin: String, lot: String) {
            self.id = id
            self.gtin = gtin
            self.lot = lot
        }
    }

    /// A product recall as a node knows it.
    public struct RecallJSON: Codable, Sendable, Equatable {
        public let id: String
        public let gtin: String
        public let lot: String
        public let reason: String
        /// The checkpoint that carried it; nil while it waits for one.
        public let checkpoint: UInt64?
        /// Whether this node's outlet chain has recorded it (its tills refuse the lot).
        public let recordedHere: Bool
        public init(id: String, gtin: String, lot: String, reason: String, checkpoint: UInt64?, recordedHere: Bool) {
            self.id = id
            self.gtin = gtin
            self.lot = lot
            self.reason = reason
            self.checkpoint = checkpoint
            self.recordedHere = recordedHere
        }
    }

    /// `GET /v1/recalls`.
    public struct Recalls: Codable, Sendable {
        public let outletId: UInt32
        public let carried: [RecallJSON]
        public let pending: [RecallJSON]
        public init(outletId: UInt32, carried: [RecallJSON], pending: [RecallJSON]) {
            self.outletId = outletId
            self.carried = carried
            self.pending = pending
        }
    }

    /// `GET /v1/outlets/{o}/lots?gs1=`: what a scanned GS1 barcode is at an outlet.
    public struct LotLookup: Codable, Sendable, Equatable {
        public let outletId: UInt32
        public let gtin: String
        /// Absent when the barcode has no lot (AI 10).
        public let lot: String?
        /// The SKU the unit is sold as.
        public let sku: String
        /// The barcode's expiry (AI 17), else the lot's as received; absent when neither says.
        public let expiry: String?
        /// The lot's units on hand at the outlet; absent without a lot record.
        public let onHand: Int64?
        /// The recall this outlet recorded for the lot: its tills refuse it.
        public let recall: RecallJSON?
        public init(outletId: UInt32, gtin: String, lot: String?, sku: String, expiry: String?, onHand: Int64?, recall: RecallJSON?) {
            self.outletId = outletId
            self.gtin = gtin
            self.lot = lot
            self.sku = sku
            self.expiry = expiry
            self.onHand = onHand
            self.recall = recall
        }
    }

    public struct AllowanceGrantAccepted: Codable, Sendable {
        public let id: String
        public let outletId: UInt32
        public let points: Int64

        public init(id: String, outletId: UInt32, points: Int64) {
            self.id = id
            self.outletId = outletId
            self.points = points
        }
    }
}
