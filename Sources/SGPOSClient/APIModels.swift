import SGPOSChain
import SGPOSCodec
import SGPOSProofs

/// JSON bodies of the HTTP API (docs/openapi.json). Money is a decimal string with two
/// decimals; ids and signed bytes are lower-case hex.
public enum API {
    public struct Problem: Codable, Sendable {
        /// `malformed`, `rejected`, `not-found`, `too-large`, `overloaded`, `forbidden`,
        /// `method-not-allowed`, `unsupported-media-type`, `internal`.
        public var error: String
        /// Stable rule code for rejections (FORMAT.md §8, §13), else 0.
        public var code: Int
        public var message: String

        public init(error: String, code: Int, message: String) {
            self.error = error
            self.code = code
            self.message = message
        }
    }

    public struct SubmitRequest: Codable, Sendable {
        /// The signed transaction's canonical bytes (FORMAT.md §3), hex.
        public var transaction: String
        public init(transaction: String) { self.transaction = transaction }
    }

    public struct SubmitResponse: Codable, Sendable {
        /// `committed` (durable now) or `duplicate` (this idempotency id was committed before: the first result).
        public var status: String
        public var transactionId: String
        public var outletId: UInt32
        public var height: UInt64
        public var index: UInt32
        /// Inclusion and history proof, checkable against the genesis alone.
        public var proof: TransactionProof

        public init(status: String, transactionId: String, outletId: UInt32, height: UInt64, index: UInt32, proof: TransactionProof) {
            self.status = status
            self.transactionId = transactionId
            self.outletId = outletId
            self.height = height
            self.index = index
            self.proof = proof
        }
    }

    public struct QuoteRequest: Codable, Sendable {
        public struct Line: Codable, Sendable {
            public var sku: String
            public var qty: Int64
            public init(sku: String, qty: Int64) {
                self.sku = sku
                self.qty = qty
            }
        }
        public var lines: [Line]
        public var memberId: String?
        public var redeemPoints: Int64?
        /// Promotion codes keyed in (a rule's `has_code` reads them).
        public var codes: [String]?
        public init(lines: [Line], memberId: String? = nil, redeemPoints: Int64? = nil, codes: [String]? = nil) {
            self.codes = codes
            self.lines = lines
            self.memberId = memberId
            self.redeemPoints = redeemPoints
        }
    }

    public struct QuoteResponse: Codable, Sendable {
        public struct Line: Codable, Sendable {
            public var sku, category: String
            /// GST treatment code: SR, ZR, ES or OS.
            public var taxCategory: String
            public var qty: Int64
            public var unitPrice, discount, net, gst: String

            public init(sku: String, category: String, taxCategory: String, qty: Int64, unitPrice: String, discount: String,
                        net: String, gst: String) {
                self.sku = sku
                self.category = category
                self.taxCategory = taxCategory
                self.qty = qty
                self.unitPrice = unitPrice
                self.discount = discount
                self.net = net
                self.gst = gst
            }
        }
        public var lines: [Line]
        public var subtotal, discount, gst, total, pointsTender, amountDue: String
        public var gstBasisPoints: Int64
        public var invoiceType: String
        public var appliedRules: [String]
        /// Rules that did not apply and said why (`require … else skip("reason")`), in the
        /// order they ran: what the cashier can tell the customer ("limit reached").
        public var skippedRules: [SkippedRule]
        /// Points the member redeems, and what they are worth: inside `discount` when points
        /// are a discount, `pointsTender` when they are a tender.
        public var pointsRedeemed: Int64
        public var pointsValue: String

        public struct SkippedRule: Codable, Sendable, Equatable {
            public var rule: String
            public var reason: String
            public init(rule: String, reason: String) {
                self.rule = rule
                self.reason = reason
            }
        }

        public init(lines: [Line], subtotal: String, discount: String, gst: String, total: String, pointsTender: String, amountDue: String,
                    gstBasisPoints: Int64, invoiceType: String, appliedRules: [String], skippedRules: [SkippedRule] = [],
                    pointsRedeemed: Int64 = 0, pointsValue: String = "0.00") {
            self.skippedRules = skippedRules
            self.pointsRedeemed = pointsRedeemed
            self.pointsValue = pointsValue
            self.lines = lines
            self.subtotal = subtotal
            self.discount = discount
            self.gst = gst
            self.total = total
            self.pointsTender = pointsTender
            self.amountDue = amountDue
            self.gstBasisPoints = gstBasisPoints
            self.invoiceType = invoiceType
            self.appliedRules = appliedRules
        }
    }

    public struct Head: Codable, Sendable {
        public var outletId: UInt32
        public var height: UInt64
        public var blockId: String
        public var stateRoot: String

        public init(outletId: UInt32, height: UInt64, blockId: String, stateRoot: String) {
            self.outletId = outletId
            self.height = height
            self.blockId = blockId
            self.stateRoot = stateRoot
        }
    }

    public struct Health: Codable, Sendable {
        public var status: String
        public var chainId: String
        public var genesisId: String
        public var outletId: UInt32
        public var height: UInt64
        public var peersConnected: Int
        public var isolated: Bool

        public init(status: String, chainId: String, genesisId: String, outletId: UInt32, height: UInt64, peersConnected: Int, isolated: Bool) {
            self.status = status
            self.chainId = chainId
            self.genesisId = genesisId
            self.outletId = outletId
            self.height = height
            self.peersConnected = peersConnected
            self.isolated = isolated
        }
    }

    /// `GET /v1/transactions/{id}/receipt`: a sale's receipt or a refund's credit note as
    /// the till prints it (42 columns), and its verification QR payload (FORMAT.md §14).
    public struct Receipt: Codable, Sendable {
        public var transactionId: String
        /// `sale` or `refund`.
        public var kind: String
        /// The document number printed on it (`1-till-01-7`, `CN1-till-01-2`).
        public var number: String
        public var total: String
        public var lines: [String]
        public var qrPayload: String

        public init(transactionId: String, kind: String, number: String, total: String, lines: [String], qrPayload: String) {
            self.transactionId = transactionId
            self.kind = kind
            self.number = number
            self.total = total
            self.lines = lines
            self.qrPayload = qrPayload
        }
    }

    public struct TransactionInfo: Codable, Sendable {
        public var transactionId: String
        public var outletId: UInt32
        public var height: UInt64
        public var index: UInt32
        public var bodyType: String
        public var transaction: String

        public init(transactionId: String, outletId: UInt32, height: UInt64, index: UInt32, bodyType: String, transaction: String) {
            self.transactionId = transactionId
            self.outletId = outletId
            self.height = height
            self.index = index
            self.bodyType = bodyType
            self.transaction = transaction
        }
    }

    public struct BlockInfo: Codable, Sendable {
        public var outletId: UInt32
        public var height: UInt64
        public var blockId: String
        public var previousHash: String
        public var timestampMs: UInt64
        public var stateRoot: String
        public var transactionIds: [String]
        /// The whole block's canonical bytes, hex (FORMAT.md §5.2).
        public var block: String

        public init(outletId: UInt32, height: UInt64, blockId: String, previousHash: String, timestampMs: UInt64, stateRoot: String, transactionIds: [String], block: String) {
            self.outletId = outletId
            self.height = height
            self.blockId = blockId
            self.previousHash = previousHash
            self.timestampMs = timestampMs
            self.stateRoot = stateRoot
            self.transactionIds = transactionIds
            self.block = block
        }
    }

    /// `GET /v1/whoami`: the registration of the key that signed the request.
    public struct WhoAmI: Codable, Sendable {
        public var publicKey: String
        public var role: String
        public var outletId: UInt32
        public var principal: String
        public var status: String

        public init(publicKey: String, role: String, outletId: UInt32, principal: String, status: String) {
            self.publicKey = publicKey
            self.role = role
            self.outletId = outletId
            self.principal = principal
            self.status = status
        }
    }

    public struct Stock: Codable, Sendable {
        public var outletId: UInt32
        public var sku: String
        public var onHand: Int64

        public init(outletId: UInt32, sku: String, onHand: Int64) {
            self.outletId = outletId
            self.sku = sku
            self.onHand = onHand
        }
    }

    public struct Member: Codable, Sendable {
        public struct Lot: Codable, Sendable {
            public var expiresOn: String
            public var points: Int64

            public init(expiresOn: String, points: Int64) {
                self.expiresOn = expiresOn
                self.points = points
            }
        }
        public var memberId: String
        public var tier: String
        public var lifetimeSpend: String
        public var points: Int64
        public var lots: [Lot]

        public init(memberId: String, tier: String, lifetimeSpend: String, points: Int64, lots: [Lot]) {
            self.memberId = memberId
            self.tier = tier
            self.lifetimeSpend = lifetimeSpend
            self.points = points
            self.lots = lots
        }
    }

    public struct Shift: Codable, Sendable {
        public var till: String
        public var number: UInt64
        public var open: Bool
        public var lastReceiptNumber: UInt64
        public var lastCreditNoteNumber: UInt64
        public var float, expectedCash, cashSales, cashRefunds, cashIn, cashOut: String
        public var salesCount: Int64

        public init(till: String, number: UInt64, open: Bool, lastReceiptNumber: UInt64, lastCreditNoteNumber: UInt64, float: String, expectedCash: String, cashSales: String, cashRefunds: String, cashIn: String, cashOut: String, salesCount: Int64) {
            self.till = till
            self.number = number
            self.open = open
            self.lastReceiptNumber = lastReceiptNumber
            self.lastCreditNoteNumber = lastCreditNoteNumber
            self.float = float
            self.expectedCash = expectedCash
            self.cashSales = cashSales
            self.cashRefunds = cashRefunds
            self.cashIn = cashIn
            self.cashOut = cashOut
            self.salesCount = salesCount
        }
    }

    public struct Books: Codable, Sendable {
        public var outletId: UInt32
        public var lastZNumber: UInt64
        public var openShifts: UInt32
        public var salesCount: Int64
        public var salesTotal, refundsTotal, voidsTotal, netSales: String
        public var grandTotalSales: String

        public init(outletId: UInt32, lastZNumber: UInt64, openShifts: UInt32, salesCount: Int64, salesTotal: String, refundsTotal: String, voidsTotal: String, netSales: String, grandTotalSales: String) {
            self.outletId = outletId
            self.lastZNumber = lastZNumber
            self.openShifts = openShifts
            self.salesCount = salesCount
            self.salesTotal = salesTotal
            self.refundsTotal = refundsTotal
            self.voidsTotal = voidsTotal
            self.netSales = netSales
            self.grandTotalSales = grandTotalSales
        }
    }
}

/// `GET /v1/checkpoints/{height}`.
/// A decided checkpoint as `GET /v1/checkpoints/{height}` returns it.
public struct CheckpointJSON: Codable, Sendable {
    public struct Head: Codable, Sendable {
        public let outlet: UInt32
        public let height: UInt64
        public let blockId: String

        public init(outlet: UInt32, height: UInt64, blockId: String) {
            self.outlet = outlet
            self.height = height
            self.blockId = blockId
        }
    }
    public let height: UInt64
    public let round: UInt32
    public let heads: [Head]
    /// Evidence this checkpoint carries: id and what it proves.
    public let evidence: [Evidence]
    /// The network root after this checkpoint (FORMAT.md §9.4), hex.
    public let networkRoot: String
    /// The agreed time (Unix ms; docs/CONSENSUS.md §11); absent in a version-3 checkpoint.
    public let timeMs: UInt64?
    public struct Evidence: Codable, Sendable {
        public let id: String
        public let summary: String

        public init(id: String, summary: String) {
            self.id = id
            self.summary = summary
        }
    }
    /// Ids of the validator updates this checkpoint carries (docs/CONSENSUS.md §9).
    public let validatorUpdates: [String]
    /// The product recalls this checkpoint carries (FORMAT.md §9.8).
    public let recalls: [Recall]
    public struct Recall: Codable, Sendable {
        public let id, gtin, lot, reason: String
        public init(id: String, gtin: String, lot: String, reason: String) {
            self.id = id
            self.gtin = gtin
            self.lot = lot
            self.reason = reason
        }
    }
    /// Validator indexes (in this height's set, `GET /v1/validators`) whose precommits the certificate holds.
    public let signers: [UInt16]
    /// The commit certificate's canonical bytes (docs/CONSENSUS.md §2), hex.
    public let certificate: String

    public init(height: UInt64, round: UInt32, heads: [Head], evidence: [Evidence], networkRoot: String, validatorUpdates: [String], signers: [UInt16], certificate: String, timeMs: UInt64? = nil, recalls: [Recall] = []) {
        self.timeMs = timeMs
        self.recalls = recalls
        self.height = height
        self.round = round
        self.heads = heads
        self.evidence = evidence
        self.networkRoot = networkRoot
        self.validatorUpdates = validatorUpdates
        self.signers = signers
        self.certificate = certificate
    }
}

extension API {
    /// What `POST /v1/admin/equivocate` signed twice (fault injection).
    public struct Equivocation: Codable, Sendable {
        public let outletId: UInt32
        public let height: UInt64
        public let heldId: String
        public let conflictingId: String

        public init(outletId: UInt32, height: UInt64, heldId: String, conflictingId: String) {
            self.outletId = outletId
            self.height = height
            self.heldId = heldId
            self.conflictingId = conflictingId
        }
    }
}
