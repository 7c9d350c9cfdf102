import Foundation
import Hummingbird
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState
import SGPOSTill

extension API {
    /// How the customer pays (prepare requests). Money: decimal strings.
    public struct Payment: Codable, Sendable {
        /// `cash`, `card`, `nets`, `paynow`, `voucher`.
        public var kind: String
        public var tendered: String?
        public var terminalId: String?
        public var approvalCode: String?
        public var rrn: String?
        public var maskedPan: String?
        public var scheme: String?
        public var billReference: String?
        public var voucherId: String?

        public init(kind: String, tendered: String? = nil, terminalId: String? = nil, approvalCode: String? = nil,
                    rrn: String? = nil, maskedPan: String? = nil, scheme: String? = nil, billReference: String? = nil,
                    voucherId: String? = nil) {
            self.kind = kind
            self.tendered = tendered
            self.terminalId = terminalId
            self.approvalCode = approvalCode
            self.rrn = rrn
            self.maskedPan = maskedPan
            self.scheme = scheme
            self.billReference = billReference
            self.voucherId = voucherId
        }
    }

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

extension NodeAPI {
    func prepare(_ data: [UInt8]) throws -> Response {
        let request = try decodeJSON(API.PrepareRequest.self, data)
        do {
            let (body, number, amount) = try node.withState(of: node.outletID) { state -> (POSBody, UInt64, Int64) in
                let builder = SaleBuilder(genesis: node.genesis, outlet: node.outletID, principal: request.till ?? "")
                let now = Int64(wallClockMs())
                switch request.kind {
                case "sale":
                    let lines = (request.lines ?? []).map { StockLine(sku: $0.sku, quantity: $0.qty) }
                    let sale = try builder.buildSale(
                        lines, memberID: request.memberId ?? "", redeemPoints: request.redeemPoints ?? 0,
                        payment: try payment(request.payment), training: request.training ?? false, atMs: now, state: state)
                    return (.sale(sale), sale.receiptNumber, sale.amountPayable)
                case "refund":
                    guard let saleID = request.sale.flatMap(Hash256.init(hex:)) else {
                        throw HTTPError(.badRequest, message: "refund needs \"sale\": the sale's transaction id (64 hex digits)")
                    }
                    let units = (request.refundLines ?? []).map { (line: $0.line &- 1, quantity: $0.qty) }
                    let refund = try builder.buildRefund(
                        of: saleID, units: units, reason: request.reason ?? "returned goods", restock: request.restock ?? true,
                        refundTender: try payment(request.payment), state: state)
                    return (.refund(refund), refund.creditNoteNumber, refund.amount)
                case "shift-close":
                    let close = try builder.buildShiftClose(counted: try cents(request.counted, "counted"), state: state)
                    return (.shiftClose(close), 0, close.counted)
                case "day-close":
                    let books = try state.outletBooks(node.outletID)
                    let date = CivilTime.singaporeDate(epochMs: now).description
                    return (.dayClose(DayClose(zNumber: books.lastZNumber + 1, businessDate: date, totals: books.period)),
                            books.lastZNumber + 1, books.period.netSales)
                default:
                    throw HTTPError(.badRequest, message: "kind must be sale, refund, shift-close or day-close")
                }
            }
            return try json(API.PrepareResponse(bodyType: body.typeCode, body: Hex.encode(body.payloadBytes), number: number,
                                                amount: decimal(amount)))
        } catch let rejection as LedgerRejection {
            return problem(.unprocessableContent, "rejected", Int(rejection.code), rejection.detail)
        }
    }
}

private func cents(_ text: String?, _ field: String) throws -> Int64 {
    guard let text else { throw HTTPError(.badRequest, message: "missing \"\(field)\"") }
    do { return try Money(decimal: text).cents } catch {
        throw HTTPError(.badRequest, message: "\(field): \(error.message)")
    }
}

private func payment(_ json: API.Payment?) throws -> Payment {
    guard let json else { return .cash(tendered: nil) }
    func need(_ value: String?, _ field: String) throws -> String {
        guard let value, !value.isEmpty else { throw HTTPError(.badRequest, message: "payment \(json.kind) needs \"\(field)\"") }
        return value
    }
    switch json.kind {
    case "cash": return .cash(tendered: try json.tendered.map { try cents($0, "tendered") })
    case "card":
        return .card(terminalID: try need(json.terminalId, "terminalId"), approvalCode: try need(json.approvalCode, "approvalCode"),
                     rrn: try need(json.rrn, "rrn"), maskedPAN: try need(json.maskedPan, "maskedPan"), scheme: try need(json.scheme, "scheme"))
    case "nets":
        return .nets(terminalID: try need(json.terminalId, "terminalId"), approvalCode: try need(json.approvalCode, "approvalCode"),
                     rrn: try need(json.rrn, "rrn"), maskedPAN: try need(json.maskedPan, "maskedPan"))
    case "paynow":
        let reference = try need(json.billReference, "billReference")
        return .payNow(payloadHash: Hash256.sha256(Array(reference.utf8)), billReference: reference, confirmationSource: "till-confirmed")
    case "voucher": return .voucher(id: try need(json.voucherId, "voucherId"))
    default: throw HTTPError(.badRequest, message: "payment kind must be cash, card, nets, paynow or voucher")
    }
}
