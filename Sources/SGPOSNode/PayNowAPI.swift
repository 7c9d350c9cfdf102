import Foundation
import Hummingbird
import SGPOSClient
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSStore

extension NodeAPI {
    /// `POST /v1/paynow`: the SGQR / PayNow payload a till shows for an amount — the
    /// outlet's PayNow account from the configuration (`payNow`), the amount fixed, the
    /// bill reference, valid until the end of today (Singapore). The till shows it as a QR
    /// code (`/qr.svg`) and, once paid, sends it back in the sale's payment
    /// (`payNowPayload`), whose SHA-256 the tender keeps.
    func payNow(_ data: [UInt8]) throws -> Response {
        let request = try decodeJSON(API.PayNowRequest.self, data)
        guard let account = node.config.payNow else {
            return problem(.notFound, "not-found", 0, "this node has no PayNow account (payNow in its configuration)")
        }
        let cents: Int64
        do { cents = try decimalCents(request.amount, "amount") } catch { return problem(.badRequest, "malformed", 0, error.message) }
        guard !request.reference.isEmpty else { return problem(.badRequest, "malformed", 0, "reference must be 1–25 characters") }
        do throws(RequestError) {
            try RequestLimits.identifier(request.reference, "reference", limit: POSLimits.billReferenceBytesMax)
        } catch {
            return problem(.badRequest, "malformed", 0, error.message)
        }
        let today = CivilTime.singaporeDate(epochMs: Int64(wallClockMs())).description.replacingOccurrences(of: "-", with: "")
        do {
            let payload = try PayNowPayload(proxy: try account.proxy(), amount: try Money(cents: cents), merchantName: account.merchantName,
                                            reference: request.reference, expiry: today)
            return try json(API.PayNowResponse(payload: payload.payload, amount: decimal(cents), reference: request.reference, expiry: today))
        } catch let error as PayNowError {
            return problem(.unprocessableContent, "rejected", Int(error.code), error.message)
        }
    }
}
