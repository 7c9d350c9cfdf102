import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// How the customer pays for a sale; the session fills in the amounts.
public enum Payment: Hashable, Sendable {
    /// Cash; `tendered` nil means exact money.
    case cash(tendered: Int64?)
    /// A card approved by a terminal (the terminal's reply, no full PAN).
    case card(terminalID: String, approvalCode: String, rrn: String, maskedPAN: String, scheme: String)
    case nets(terminalID: String, approvalCode: String, rrn: String, maskedPAN: String)
    /// PayNow / SGQR: the hash of the QR payload shown and the bank's confirmation.
    case payNow(payloadHash: Hash256, billReference: String, confirmationSource: String)
    case voucher(id: String)
}

extension Payment {
    public var isCash: Bool {
        if case .cash = self { return true }
        return false
    }

    /// The tender paying `amount` this way (cash: with change from what was handed over).
    public func tender(amount: Int64) throws -> Tender {
        switch self {
        case .cash(let tendered):
            let given = tendered ?? amount
            guard given >= amount else {
                throw LedgerRejection(.tendersMismatch, "cash tendered \(Money.format(given)) is less than the \(Money.format(amount)) due")
            }
            return .cash(tendered: given, change: given - amount)
        case .card(let terminal, let approval, let rrn, let pan, let scheme):
            return .card(CardPayment(amount: amount, terminalID: terminal, approvalCode: approval, rrn: rrn, maskedPAN: pan, scheme: scheme))
        case .nets(let terminal, let approval, let rrn, let pan):
            return .nets(CardPayment(amount: amount, terminalID: terminal, approvalCode: approval, rrn: rrn, maskedPAN: pan, scheme: "nets"))
        case .payNow(let hash, let reference, let source):
            return .payNow(amount: amount, payloadHash: hash, billReference: reference, confirmationSource: source)
        case .voucher(let id):
            return .voucher(id: id, amount: amount)
        }
    }
}

extension Money {
    /// `12.30` for cents that may be outside the money range (messages only).
    static func format(_ cents: Int64) -> String {
        (try? Money(cents: cents))?.decimal ?? "\(cents) cents"
    }
}
