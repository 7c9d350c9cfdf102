import Foundation
import Hummingbird
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSTill
import SGPOSStore

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
        /// The till principal (sale, refund, shift-close).
        public var till: String?
        public var lines: [QuoteRequest.Line]?
        public var memberId: String?
        public var redeemPoints: Int64?
        public var payment: Payment?
        public var training: Bool?
        public var counted: String?
        public var sale: String?
        public var refundLines: [RefundLine]?
        public var reason: String?
        public var restock: Bool?

        public init(kind: String, till: String? = nil, lines: [QuoteRequest.Line]? = nil, memberId: String? = nil,
                    redeemPoints: Int64? = nil, payment: Payment? = nil, training: Bool? = nil, counted: String? = nil,
                    sale: String? = nil, refundLines: [RefundLine]? = nil, reason: String? = nil, restock: Bool? = nil) {
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
    }
}

extension API.PrepareRequest {
    /// The application layer's request; malformed fields are ``RequestError``s.
    func operation() throws(RequestError) -> SGPOSOperations.PrepareRequest {
        let payment = try self.payment?.payment() ?? .cash(tendered: nil)
        switch kind {
        case "sale":
            return .sale(lines: (lines ?? []).map { StockLine(sku: $0.sku, quantity: $0.qty) }, memberID: memberId ?? "",
                         redeemPoints: redeemPoints ?? 0, payment: payment, training: training ?? false)
        case "refund":
            guard let saleID = sale.flatMap(Hash256.init(hex:)) else {
                throw RequestError("refund needs \"sale\": the sale's transaction id (64 hex digits)")
            }
            return .refund(sale: saleID, units: (refundLines ?? []).map { RefundUnit(line: $0.line &- 1, quantity: $0.qty) },
                           reason: reason ?? "returned goods", restock: restock ?? true, payment: payment)
        case "shift-close":
            return .shiftClose(counted: try decimalCents(counted, "counted"))
        case "day-close":
            return .dayClose
        default:
            throw RequestError("kind must be sale, refund, shift-close or day-close")
        }
    }
}

extension NodeAPI {
    func prepare(_ data: [UInt8]) throws -> Response {
        let request = try decodeJSON(API.PrepareRequest.self, data)
        let operation: SGPOSOperations.PrepareRequest
        do { operation = try request.operation() } catch { throw HTTPError(.badRequest, message: error.message) }
        do {
            let prepared = try node.withState(of: node.outletID) { state in
                try SaleBuilder(genesis: node.genesis, outlet: node.outletID, principal: request.till ?? "")
                    .prepare(operation, atMs: Int64(wallClockMs()), state: state)
            }
            return try json(API.PrepareResponse(bodyType: prepared.body.typeCode, body: Hex.encode(prepared.body.payloadBytes),
                                                number: prepared.number, amount: decimal(prepared.amount)))
        } catch let rejection as LedgerRejection {
            return problem(.unprocessableContent, "rejected", Int(rejection.code), rejection.detail)
        }
    }
}
