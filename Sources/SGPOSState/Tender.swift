import SGPOSCodec
import SGPOSCrypto

/// How (part of) a sale was paid, or a refund paid back. Card data is limited to what
/// PCI DSS lets a merchant keep: terminal, approval code, RRN and a masked PAN.
public enum Tender: Hashable, Sendable {
    /// Cash: what the customer handed over and the change given back.
    case cash(tendered: Int64, change: Int64)
    /// NETS (Singapore debit) through a terminal.
    case nets(CardPayment)
    /// Credit or debit card through a terminal.
    case card(CardPayment)
    /// PayNow / SGQR: the hash of the QR payload shown, the bill reference in it, and
    /// what confirmed the payment (bank notification id, terminal, manual check).
    case payNow(amount: Int64, payloadHash: Hash256, billReference: String, confirmationSource: String)
    /// A gift voucher redeemed at face value (GST Reg 93C: the supply is valued in full).
    case voucher(id: String, amount: Int64)
    /// Loyalty points paying like money (when the chain treats redemption as a tender).
    case points(points: Int64, amount: Int64)

    /// Stable kind codes (docs/FORMAT.md §13.2); Z-reports total by them.
    public enum Kind: UInt8, Hashable, Sendable, CaseIterable, Comparable {
        case cash = 1
        case nets = 2
        case card = 3
        case payNow = 4
        case voucher = 5
        case points = 6

        public var name: String {
            switch self {
            case .cash: "cash"
            case .nets: "nets"
            case .card: "card"
            case .payNow: "paynow"
            case .voucher: "voucher"
            case .points: "points"
            }
        }

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var kind: Kind {
        switch self {
        case .cash: .cash
        case .nets: .nets
        case .card: .card
        case .payNow: .payNow
        case .voucher: .voucher
        case .points: .points
        }
    }

    /// The amount this tender contributes (cash: tendered − change).
    public var amount: Int64 {
        switch self {
        case .cash(let tendered, let change): tendered - change
        case .nets(let card), .card(let card): card.amount
        case .payNow(let amount, _, _, _): amount
        case .voucher(_, let amount): amount
        case .points(_, let amount): amount
        }
    }
}

/// A card or NETS payment as the terminal reported it.
public struct CardPayment: Hashable, Sendable {
    public var amount: Int64
    public var terminalID: String
    public var approvalCode: String
    /// Retrieval reference number (12 characters).
    public var rrn: String
    /// At most the first 6 and last 4 digits; the rest `*` or `X`.
    public var maskedPAN: String
    /// Card scheme: `visa`, `mastercard`, `amex`, `unionpay`, `jcb`, `nets`.
    public var scheme: String

    public init(amount: Int64, terminalID: String, approvalCode: String, rrn: String, maskedPAN: String, scheme: String) {
        self.amount = amount
        self.terminalID = terminalID
        self.approvalCode = approvalCode
        self.rrn = rrn
        self.maskedPAN = maskedPAN
        self.scheme = scheme
    }

    /// Why the fields are not acceptable, or nil. A full PAN is never stored.
    public var problem: String? {
        func printable(_ text: String, _ range: ClosedRange<Int>) -> Bool {
            range.contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        }
        guard printable(terminalID, 1...16) else { return "terminal id must be 1...16 printable ASCII characters" }
        guard printable(approvalCode, 1...12) else { return "approval code must be 1...12 printable ASCII characters" }
        guard printable(rrn, 1...24) else { return "RRN must be 1...24 printable ASCII characters" }
        guard printable(scheme, 1...16) else { return "scheme must be 1...16 printable ASCII characters" }
        let pan = Array(maskedPAN.utf8)
        guard (4...19).contains(pan.count) else { return "masked PAN must be 4...19 characters" }
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        let isMask = { (byte: UInt8) in byte == UInt8(ascii: "*") || byte == UInt8(ascii: "X") }
        guard pan.allSatisfy({ isDigit($0) || isMask($0) }) else { return "masked PAN may hold only digits, * and X" }
        // PCI DSS 3.4: at most the first six and the last four digits are shown.
        for (index, byte) in pan.enumerated() where isDigit(byte) {
            guard index < 6 || index >= pan.count - 4 else {
                return "masked PAN shows a digit at position \(index + 1); only the first 6 and last 4 may be shown"
            }
        }
        guard pan.count <= 10 || pan.contains(where: isMask) else { return "masked PAN is not masked" }
        return nil
    }
}

extension Tender {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(kind.rawValue)
        switch self {
        case .cash(let tendered, let change):
            encoder.writeI64(tendered)
            encoder.writeI64(change)
        case .nets(let card), .card(let card):
            encoder.writeI64(card.amount)
            encoder.writeString(card.terminalID, limit: POSLimits.terminalIDBytesMax)
            encoder.writeString(card.approvalCode, limit: POSLimits.approvalCodeBytesMax)
            encoder.writeString(card.rrn, limit: POSLimits.rrnBytesMax)
            encoder.writeString(card.maskedPAN, limit: POSLimits.maskedPANBytesMax)
            encoder.writeString(card.scheme, limit: POSLimits.cardSchemeBytesMax)
        case .payNow(let amount, let payloadHash, let billReference, let confirmationSource):
            encoder.writeI64(amount)
            payloadHash.encode(to: &encoder)
            encoder.writeString(billReference, limit: POSLimits.billReferenceBytesMax)
            encoder.writeString(confirmationSource, limit: POSLimits.referenceBytesMax)
        case .voucher(let id, let amount):
            encoder.writeString(id, limit: POSLimits.referenceBytesMax)
            encoder.writeI64(amount)
        case .points(let points, let amount):
            encoder.writeI64(points)
            encoder.writeI64(amount)
        }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        guard let kind = Kind(rawValue: try decoder.readU8("tender kind")) else {
            throw .unknownTag("tender kind", at: at)
        }
        switch kind {
        case .cash:
            self = .cash(tendered: try decoder.readI64("cash tendered"), change: try decoder.readI64("cash change"))
        case .nets, .card:
            let card = CardPayment(
                amount: try decoder.readI64("card amount"),
                terminalID: try decoder.readString("terminal id", limit: POSLimits.terminalIDBytesMax),
                approvalCode: try decoder.readString("approval code", limit: POSLimits.approvalCodeBytesMax),
                rrn: try decoder.readString("RRN", limit: POSLimits.rrnBytesMax),
                maskedPAN: try decoder.readString("masked PAN", limit: POSLimits.maskedPANBytesMax),
                scheme: try decoder.readString("card scheme", limit: POSLimits.cardSchemeBytesMax))
            self = kind == .nets ? .nets(card) : .card(card)
        case .payNow:
            self = .payNow(
                amount: try decoder.readI64("PayNow amount"), payloadHash: try Hash256(from: &decoder),
                billReference: try decoder.readString("bill reference", limit: POSLimits.billReferenceBytesMax),
                confirmationSource: try decoder.readString("confirmation source", limit: POSLimits.referenceBytesMax))
        case .voucher:
            self = .voucher(id: try decoder.readString("voucher id", limit: POSLimits.referenceBytesMax),
                            amount: try decoder.readI64("voucher amount"))
        case .points:
            self = .points(points: try decoder.readI64("points"), amount: try decoder.readI64("points amount"))
        }
    }
}
