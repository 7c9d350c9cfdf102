import Foundation
import Hummingbird
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSClient

extension API.PrepareRequest {
    /// The application layer's request; malformed fields are ``RequestError``s.
    func operation() throws(RequestError) -> SGPOSOperations.PrepareRequest {
        try checkFields()
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
        case "shift-open":
            return .shiftOpen(float: try decimalCents(float, "float"))
        case "void":
            guard let saleID = sale.flatMap(Hash256.init(hex:)) else {
                throw RequestError("void needs \"sale\": the sale's transaction id (64 hex digits)")
            }
            return .void(sale: saleID, reason: reason ?? "cancelled at the till")
        default:
            throw RequestError("kind must be sale, refund, void, shift-open, shift-close or day-close")
        }
    }
}

extension API.PrepareRequest {
    /// Checks the form of every field given, whatever the kind uses (docs/openapi.json's
    /// `PrepareRequest`): a field the kind ignores is still refused when malformed.
    func checkFields() throws(RequestError) {
        if let till { try RequestLimits.principal(till) }
        if let memberId { try RequestLimits.memberID(memberId) }
        if let lines { try RequestLimits.lines(lines.map { StockLine(sku: $0.sku, quantity: $0.qty) }) }
        if let payment { try payment.checkFields() }
        if let counted { _ = try decimalCents(counted, "counted") }
        if let float { _ = try decimalCents(float, "float") }
        if let sale, Hash256(hex: sale) == nil { throw RequestError("sale must be a transaction id: 64 lower-case hex digits") }
        if let reason { try RequestLimits.reason(reason) }
    }
}

extension NodeAPI {
    func prepare(_ data: [UInt8], caller: Caller?) throws -> Response {
        let request = try decodeJSON(API.PrepareRequest.self, data)
        if let till = request.till { try requireOwnTill(caller, till) }
        let operation: SGPOSOperations.PrepareRequest
        do { operation = try request.operation() } catch { throw HTTPError(.badRequest, message: error.message) }
        do {
            let prepared = try node.withState(of: node.outletID) { state in
                try SaleBuilder(genesis: node.genesis, outlet: node.outletID, principal: request.till ?? "")
                    .prepare(operation, atMs: Int64(wallClockMs()), state: state)
            }
            if let payment = request.payment, payment.kind == "paynow", payment.payNowPayload != nil {
                // The code the customer paid must be an SGQR payload of this reference and amount.
                let terms: (amount: String, reference: String)
                do { terms = try payment.payNowTerms()! } catch {
                    return problem(.unprocessableContent, "rejected", 306, error.message)
                }
                guard terms.reference == payment.billReference else {
                    return problem(.unprocessableContent, "rejected", 306,
                                   "payment.payNowPayload carries reference \"\(terms.reference)\", not billReference \"\(payment.billReference ?? "")\"")
                }
                guard (try? Money(decimal: terms.amount).cents) == prepared.amount else {
                    return problem(.unprocessableContent, "rejected", 306,
                                   "the PayNow payload is for S$\(terms.amount), the sale is S$\(decimal(prepared.amount)): show a new code")
                }
            }
            return try json(API.PrepareResponse(bodyType: prepared.body.typeCode, body: Hex.encode(prepared.body.payloadBytes),
                                                number: prepared.number, amount: decimal(prepared.amount)))
        } catch let rejection as LedgerRejection {
            return problem(.unprocessableContent, "rejected", Int(rejection.code), rejection.detail)
        }
    }
}
