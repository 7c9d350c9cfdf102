import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// How the customer pays, as a till or a what-if quote describes it (JSON): money as
/// decimal strings with two decimals. ``payment()`` checks it and gives the ``Payment``.
public struct PaymentRequest: Codable, Sendable, Hashable {
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
    /// PayNow: the SGQR payload the customer paid (EMVCo, CRC included), as the node gave it
    /// (`POST /v1/paynow`); its SHA-256 is kept in the tender. Without it the hash is that
    /// of the reference alone. Whether it is an SGQR payload for this reference and amount
    /// is a rule of the prepare (422), not of its form.
    public var payNowPayload: String?

    /// The longest PayNow payload accepted (a full one is about 150 characters).
    public static let payNowPayloadBytesMax = 512

    public init(kind: String, tendered: String? = nil, terminalId: String? = nil, approvalCode: String? = nil,
                rrn: String? = nil, maskedPan: String? = nil, scheme: String? = nil, billReference: String? = nil,
                voucherId: String? = nil, payNowPayload: String? = nil) {
        self.kind = kind
        self.tendered = tendered
        self.terminalId = terminalId
        self.approvalCode = approvalCode
        self.rrn = rrn
        self.maskedPan = maskedPan
        self.scheme = scheme
        self.billReference = billReference
        self.voucherId = voucherId
        self.payNowPayload = payNowPayload
    }

    /// Checks the form of every field given, whatever the kind uses (docs/openapi.json's
    /// `Payment`): identifiers printable ASCII within their limits, `tendered` an amount.
    /// A field the kind does not use is still refused when malformed, never ignored.
    public func checkFields() throws(RequestError) {
        let identifiers: [(String?, String, Int)] = [
            (terminalId, "payment.terminalId", POSLimits.terminalIDBytesMax), (approvalCode, "payment.approvalCode", POSLimits.approvalCodeBytesMax),
            (rrn, "payment.rrn", POSLimits.rrnBytesMax), (maskedPan, "payment.maskedPan", POSLimits.maskedPANBytesMax),
            (scheme, "payment.scheme", POSLimits.cardSchemeBytesMax), (billReference, "payment.billReference", POSLimits.billReferenceBytesMax),
            (voucherId, "payment.voucherId", POSLimits.referenceBytesMax),
        ]
        for (value, field, limit) in identifiers {
            if let value { try RequestLimits.identifier(value, field, limit: limit) }
        }
        if let tendered { _ = try decimalCents(tendered, "payment.tendered") }
        if let payNowPayload {
            try RequestLimits.identifier(payNowPayload, "payment.payNowPayload", limit: Self.payNowPayloadBytesMax)
        }
    }

    /// The amount (field 54) and bill reference (field 62, sub-field 01) of ``payNowPayload``.
    public func payNowTerms() throws(RequestError) -> (amount: String, reference: String)? {
        guard let payNowPayload else { return nil }
        do throws(PayNowError) {
            let fields = try PayNowPayload.verifiedFields(of: payNowPayload)
            let amount = fields.first { $0.id == "54" }?.value ?? ""
            var additional: [PayNowPayload.Field] = []
            if let data = fields.first(where: { $0.id == "62" }) { additional = try PayNowPayload.fields(of: data.value) }
            return (amount, additional.first { $0.id == "01" }?.value ?? "")
        } catch {
            throw RequestError("payment.payNowPayload is not an SGQR payload: \(error.message)")
        }
    }

    /// The payment this describes; a missing field or a malformed amount is a ``RequestError``.
    public func payment() throws(RequestError) -> Payment {
        func need(_ value: String?, _ field: String) throws(RequestError) -> String {
            guard let value, !value.isEmpty else { throw RequestError("payment \(kind) needs \"\(field)\"") }
            return value
        }
        switch kind {
        case "cash":
            guard let tendered else { return .cash(tendered: nil) }
            return .cash(tendered: try decimalCents(tendered, "tendered"))
        case "card":
            return .card(terminalID: try need(terminalId, "terminalId"), approvalCode: try need(approvalCode, "approvalCode"),
                         rrn: try need(rrn, "rrn"), maskedPAN: try need(maskedPan, "maskedPan"), scheme: try need(scheme, "scheme"))
        case "nets":
            return .nets(terminalID: try need(terminalId, "terminalId"), approvalCode: try need(approvalCode, "approvalCode"),
                         rrn: try need(rrn, "rrn"), maskedPAN: try need(maskedPan, "maskedPan"))
        case "paynow":
            let reference = try need(billReference, "billReference")
            return .payNow(payloadHash: Hash256.sha256(Array((payNowPayload ?? reference).utf8)), billReference: reference,
                           confirmationSource: "till-confirmed")
        case "voucher": return .voucher(id: try need(voucherId, "voucherId"))
        default: throw RequestError("payment kind must be cash, card, nets, paynow or voucher")
        }
    }
}

/// Cents of a decimal money string (`12.30`), naming `field` when it is not one.
public func decimalCents(_ text: String?, _ field: String) throws(RequestError) -> Int64 {
    guard let text else { throw RequestError("missing \"\(field)\"") }
    do { return try Money(decimal: text).cents } catch { throw RequestError("\(field): \(error.message)") }
}
