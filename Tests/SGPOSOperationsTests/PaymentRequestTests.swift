import SGPOSOperations
import SGPOSState
import Testing

/// A till's payment JSON: every malformed field is named, and a good one gives the payment.
@Suite struct PaymentRequestTests {
    @Test func malformedPaymentsNameWhatIsWrong() {
        let cases: [(PaymentRequest, String)] = [
            (PaymentRequest(kind: "card", terminalId: "T1", approvalCode: "A1", rrn: "1", scheme: "visa"), "payment card needs \"maskedPan\""),
            (PaymentRequest(kind: "nets", terminalId: "", approvalCode: "A1", rrn: "1", maskedPan: "****"), "payment nets needs \"terminalId\""),
            (PaymentRequest(kind: "paynow"), "payment paynow needs \"billReference\""),
            (PaymentRequest(kind: "voucher"), "payment voucher needs \"voucherId\""),
            (PaymentRequest(kind: "cash", tendered: "10.5"), "tendered: "),
            (PaymentRequest(kind: "cheque"), "payment kind must be cash, card, nets, paynow or voucher"),
        ]
        for (request, message) in cases {
            #expect { try request.payment() } throws: { ($0 as? RequestError)?.message.contains(message) == true }
        }
    }

    @Test func wellFormedPaymentsGiveTheirTender() throws {
        #expect(try PaymentRequest(kind: "cash", tendered: "50.00").payment() == .cash(tendered: 5_000))
        #expect(try PaymentRequest(kind: "cash").payment() == .cash(tendered: nil))
        #expect(try PaymentRequest(kind: "voucher", voucherId: "GV-1").payment() == .voucher(id: "GV-1"))
        #expect(try PaymentRequest(kind: "cash", tendered: "10.00").payment().tender(amount: 905)
                == .cash(tendered: 1_000, change: 95))
        #expect { try PaymentRequest(kind: "cash", tendered: "5.00").payment().tender(amount: 905) } throws: {
            "\($0)".contains("less than the 9.05 due")
        }
    }
}
