import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// JSON bodies of the HTTP API (docs/openapi.yaml). Money is a decimal string with two
/// decimals; ids and signed bytes are lower-case hex.
public enum API {
    public struct Problem: Codable, Sendable {
        /// `malformed`, `rejected`, `not-found`, `too-large`, `overloaded`, `forbidden`,
        /// `method-not-allowed`, `unsupported-media-type`, `internal`.
        public var error: String
        /// Stable rule code for rejections (FORMAT.md §8, §13), else 0.
        public var code: Int
        public var message: String
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
        public init(lines: [Line], memberId: String? = nil, redeemPoints: Int64? = nil) {
            self.lines = lines
            self.memberId = memberId
            self.redeemPoints = redeemPoints
        }
    }

    public struct QuoteResponse: Codable, Sendable {
        public struct Line: Codable, Sendable {
            public var sku, category: String
            public var qty: Int64
            public var unitPrice, discount, net, gst: String
        }
        public var lines: [Line]
        public var subtotal, discount, gst, total, pointsTender, amountDue: String
        public var gstBasisPoints: Int64
        public var invoiceType: String
        public var appliedRules: [String]
    }

    public struct Head: Codable, Sendable {
        public var outletId: UInt32
        public var height: UInt64
        public var blockId: String
        public var stateRoot: String
    }

    public struct Health: Codable, Sendable {
        public var status: String
        public var chainId: String
        public var genesisId: String
        public var outletId: UInt32
        public var height: UInt64
        public var peersConnected: Int
        public var isolated: Bool
    }

    public struct TransactionInfo: Codable, Sendable {
        public var transactionId: String
        public var outletId: UInt32
        public var height: UInt64
        public var index: UInt32
        public var bodyType: String
        public var transaction: String
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
    }

    public struct Stock: Codable, Sendable {
        public var outletId: UInt32
        public var sku: String
        public var onHand: Int64
    }

    public struct Member: Codable, Sendable {
        public struct Lot: Codable, Sendable {
            public var expiresOn: String
            public var points: Int64
        }
        public var memberId: String
        public var tier: String
        public var lifetimeSpend: String
        public var points: Int64
        public var lots: [Lot]
    }

    public struct Shift: Codable, Sendable {
        public var till: String
        public var number: UInt64
        public var open: Bool
        public var lastReceiptNumber: UInt64
        public var lastCreditNoteNumber: UInt64
        public var float, expectedCash, cashSales, cashRefunds, cashIn, cashOut: String
        public var salesCount: Int64
    }

    public struct Books: Codable, Sendable {
        public var outletId: UInt32
        public var lastZNumber: UInt64
        public var openShifts: UInt32
        public var salesCount: Int64
        public var salesTotal, refundsTotal, voidsTotal, netSales: String
        public var grandTotalSales: String
    }
}

/// Cents as a decimal string (`-0.05`).
func decimal(_ cents: Int64) -> String {
    let magnitude = cents.magnitude
    return (cents < 0 ? "-" : "") + "\(magnitude / 100)." + (magnitude % 100 < 10 ? "0" : "") + "\(magnitude % 100)"
}

/// `GET /v1/checkpoints/{height}`.
/// A decided checkpoint as `GET /v1/checkpoints/{height}` returns it.
public struct CheckpointJSON: Codable, Sendable {
    public struct Head: Codable, Sendable {
        public let outlet: UInt32
        public let height: UInt64
        public let blockId: String
    }
    public let height: UInt64
    public let round: UInt32
    public let heads: [Head]
    /// Evidence this checkpoint carries: id and what it proves.
    public let evidence: [Evidence]
    /// The network root after this checkpoint (FORMAT.md §9.4), hex.
    public let networkRoot: String
    public struct Evidence: Codable, Sendable {
        public let id: String
        public let summary: String
    }
    /// Ids of the validator updates this checkpoint carries (docs/CONSENSUS.md §9).
    public let validatorUpdates: [String]
    /// Validator indexes (in this height's set, `GET /v1/validators`) whose precommits the certificate holds.
    public let signers: [UInt16]
    /// The commit certificate's canonical bytes (docs/CONSENSUS.md §2), hex.
    public let certificate: String
}

extension API {
    /// What `POST /v1/admin/equivocate` signed twice (fault injection).
    public struct Equivocation: Codable, Sendable {
        public let outletId: UInt32
        public let height: UInt64
        public let heldId: String
        public let conflictingId: String
    }
}
