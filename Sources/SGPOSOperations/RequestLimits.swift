import SGPOSChain
import SGPOSState

/// The field limits of the ledger, checked where a request enters (an HTTP body or path,
/// a CLI argument) before any state key or body is built from it. A value over its limit
/// is a ``RequestError`` naming the field, its length and the limit; it never reaches the
/// encoders' and state keys' invariants (which trap, as they guard the node's own code).
public enum RequestLimits {
    /// Throws when `text` is longer than `limit` UTF-8 bytes.
    public static func check(_ text: String, _ field: String, limit: Int) throws(RequestError) {
        let count = text.utf8.count
        guard count <= limit else {
            throw RequestError("\(field) is \(count) bytes; the limit is \(limit) bytes")
        }
    }

    /// A SKU (``POSLimits/skuBytesMax``).
    public static func sku(_ sku: String, field: String = "sku") throws(RequestError) {
        try check(sku, field, limit: POSLimits.skuBytesMax)
    }

    /// A loyalty member id (``POSLimits/memberIDBytesMax``).
    public static func memberID(_ id: String, field: String = "memberId") throws(RequestError) {
        try check(id, field, limit: POSLimits.memberIDBytesMax)
    }

    /// A till's (or any signer's) principal name (``Limits/principalBytesMax``).
    public static func principal(_ name: String, field: String = "till") throws(RequestError) {
        try check(name, field, limit: Limits.principalBytesMax)
    }

    /// A refund or adjustment reason (``POSLimits/reasonBytesMax``).
    public static func reason(_ reason: String, field: String = "reason") throws(RequestError) {
        try check(reason, field, limit: POSLimits.reasonBytesMax)
    }

    /// Every SKU of a basket, and its line count (``POSLimits/linesMax``).
    public static func lines(_ lines: [StockLine], field: String = "lines") throws(RequestError) {
        guard lines.count <= POSLimits.linesMax else {
            throw RequestError("\(field) has \(lines.count) lines; the limit is \(POSLimits.linesMax)")
        }
        for (index, line) in lines.enumerated() { try sku(line.sku, field: "\(field)[\(index)].sku") }
    }

    /// The text fields of a payment, against the limits of the tender they become.
    public static func payment(_ payment: Payment) throws(RequestError) {
        switch payment {
        case .cash: return
        case .card(let terminal, let approval, let rrn, let pan, let scheme):
            try card(terminal, approval, rrn, pan)
            try check(scheme, "payment.scheme", limit: POSLimits.cardSchemeBytesMax)
        case .nets(let terminal, let approval, let rrn, let pan):
            try card(terminal, approval, rrn, pan)
        case .payNow(_, let reference, let source):
            try check(reference, "payment.billReference", limit: POSLimits.billReferenceBytesMax)
            try check(source, "payment.confirmationSource", limit: POSLimits.referenceBytesMax)
        case .voucher(let id):
            try check(id, "payment.voucherId", limit: POSLimits.referenceBytesMax)
        }
    }

    private static func card(_ terminal: String, _ approval: String, _ rrn: String, _ pan: String) throws(RequestError) {
        try check(terminal, "payment.terminalId", limit: POSLimits.terminalIDBytesMax)
        try check(approval, "payment.approvalCode", limit: POSLimits.approvalCodeBytesMax)
        try check(rrn, "payment.rrn", limit: POSLimits.rrnBytesMax)
        try check(pan, "payment.maskedPan", limit: POSLimits.maskedPANBytesMax)
    }
}
