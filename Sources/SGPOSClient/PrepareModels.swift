import SGPOSOperations

extension API {
    /// How the customer pays (prepare requests). Money: decimal strings.
    public typealias Payment = PaymentRequest

    /// Asks the node to build the exact body a till will sign: `sale`, `refund`,
    /// `shift-close` or `day-close`.
    public struct PrepareRequest: Codable, Sendable {
        public struct RefundLine: Codable, Sendable {
            /// 1-based line of the original sale.
            public var line: UInt32
            public var qty: Int64
            public init(line: UInt32, qty: Int64) {
                self.line = line
                self.qty = qty
            }
        }
        public var kind: String
        /// The till principal (sale, refund, void, shift-open, shift-close).
        public var till: String?
        public var lines: [QuoteRequest.Line]?
        public var memberId: String?
        public var redeemPoints: Int64?
        /// A sale's promotion codes keyed in.
        public var codes: [String]?
        /// A sale's GS1 scans (AI 01 GTIN, 10 lot, 17 expiry), one per unit: each adds a unit
        /// of the SKU the outlet received that lot as, with its lot (FORMAT.md §13.6).
        public var scans: [String]?
        public var payment: Payment?
        public var training: Bool?
        public var counted: String?
        public var sale: String?
        public var refundLines: [RefundLine]?
        public var reason: String?
        public var restock: Bool?
        /// A shift open's float, Singapore dollars with two decimals.
        public var float: String?
        /// A stock receipt's delivery-order reference.
        public var reference: String?
        /// A stock adjustment's SKU, signed non-zero unit change and note (its `reason` is
        /// damaged, theft, expired, correction, sample or found).
        public var sku: String?
        public var delta: Int64?
        public var note: String?
        /// A transfer-out's destination outlet.
        public var to: UInt32?
        /// A transfer-in's transfer id (32 hex digits) as the outgoing half names it.
        public var transfer: String?
        /// A rule deployment's source and first active time (RFC 3339; default now).
        public var source: String?
        public var activeFrom: String?

        public init(kind: String, till: String? = nil, lines: [QuoteRequest.Line]? = nil, memberId: String? = nil,
                    redeemPoints: Int64? = nil, payment: Payment? = nil, training: Bool? = nil, counted: String? = nil,
                    sale: String? = nil, refundLines: [RefundLine]? = nil, reason: String? = nil, restock: Bool? = nil,
                    float: String? = nil, reference: String? = nil, sku: String? = nil, delta: Int64? = nil,
                    note: String? = nil, to: UInt32? = nil, transfer: String? = nil, source: String? = nil,
                    activeFrom: String? = nil, codes: [String]? = nil, scans: [String]? = nil) {
            self.codes = codes
            self.scans = scans
            self.reference = reference
            self.sku = sku
            self.delta = delta
            self.note = note
            self.to = to
            self.transfer = transfer
            self.source = source
            self.activeFrom = activeFrom
            self.kind = kind
            self.till = till
            self.lines = lines
            self.memberId = memberId
            self.redeemPoints = redeemPoints
            self.payment = payment
            self.training = training
            self.counted = counted
            self.sale = sale
            self.refundLines = refundLines
            self.reason = reason
            self.restock = restock
            self.float = float
        }
    }

    /// `POST /v1/paynow`: an amount (S$, two decimals) and the bill reference to show.
    public struct PayNowRequest: Codable, Sendable {
        public var amount: String
        public var reference: String
        public init(amount: String, reference: String) {
            self.amount = amount
            self.reference = reference
        }
    }

    /// The SGQR / PayNow payload (EMVCo, CRC included) and what it says.
    public struct PayNowResponse: Codable, Sendable {
        public var payload: String
        public var amount: String
        public var reference: String
        /// Last day the code is valid, `YYYYMMDD`.
        public var expiry: String
        public init(payload: String, amount: String, reference: String, expiry: String) {
            self.payload = payload
            self.amount = amount
            self.reference = reference
            self.expiry = expiry
        }
    }

    public struct PrepareResponse: Codable, Sendable {
        /// Body type code (FORMAT.md §13.1) and the canonical body bytes, hex: sign them
        /// as an application body after checking them against what the customer saw.
        public var bodyType: UInt16
        public var body: String
        /// Document number (receipt, credit note or Z) and the amount, for display.
        public var number: UInt64
        public var amount: String

        public init(bodyType: UInt16, body: String, number: UInt64, amount: String) {
            self.bodyType = bodyType
            self.body = body
            self.number = number
            self.amount = amount
        }
    }
}
