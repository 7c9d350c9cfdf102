import Foundation
import SGPOSChain
import SGPOSContracts
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

    /// Throws unless `text` is an identifier: printable ASCII (space to `~`), at most `limit`
    /// bytes. Identifiers (SKUs, tills, card and voucher references) are codes, not prose;
    /// in ASCII a character is a byte, so docs/openapi.json states the limit exactly
    /// (`maxLength` counts characters) with the pattern `^[ -~]*$`.
    public static func identifier(_ text: String, _ field: String, limit: Int) throws(RequestError) {
        try check(text, field, limit: limit)
        guard text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw RequestError("\(field) must be printable ASCII (space to ~)")
        }
    }

    /// Throws when `text` has more than `limit` characters (Unicode scalars, as JSON Schema's
    /// `maxLength` counts them) or a control character (U+0000–U+001F, U+007F–U+009F, and
    /// the line and paragraph separators U+2028, U+2029).
    public static func text(_ text: String, _ field: String, charactersMax limit: Int) throws(RequestError) {
        let count = text.unicodeScalars.count
        guard count <= limit else { throw RequestError("\(field) is \(count) characters; the limit is \(limit)") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 }) else {
            throw RequestError("\(field) must not contain control characters")
        }
    }

    /// A SKU (``POSLimits/skuBytesMax``), an ``identifier(_:_:limit:)``.
    /// Promotion codes keyed in: at most 8, each 1–32 printable ASCII characters without
    /// spaces (whether a rule accepts them is the pricing's answer).
    public static func codes(_ codes: [String], field: String = "codes") throws(RequestError) {
        guard codes.count <= Sale.codesMax else { throw RequestError("\(field) has \(codes.count) codes; the limit is \(Sale.codesMax)") }
        for code in codes where !CompiledRule.isCode(code) {
            throw RequestError("\(field): \"\(code.prefix(40))\" must be 1-32 printable ASCII characters without spaces")
        }
    }

    public static func sku(_ sku: String, field: String = "sku") throws(RequestError) {
        try identifier(sku, field, limit: POSLimits.skuBytesMax)
    }

    /// The characters a member id may hold: ASCII letters, digits, `.`, `_` and `-`.
    public static func isMemberIDCharacter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }

    /// A loyalty member id (``POSLimits/memberIDBytesMax``; letters, digits, `.`, `_`, `-`) that is pseudonymous: an
    /// append-only chain cannot erase what it holds, so an id that looks like personal
    /// data (``personalDataKind(_:)``: an e-mail address, a Singapore phone number, an
    /// NRIC/FIN) is refused (PDPA; personal data belongs in the node's member directory).
    /// The message names the field and what the id looks like, never the id itself.
    public static func memberID(_ id: String, field: String = "memberId") throws(RequestError) {
        try check(id, field, limit: POSLimits.memberIDBytesMax)
        if let kind = personalDataKind(id) {
            throw RequestError("\(field) looks like \(kind): member ids must be pseudonymous (PDPA); "
                + "use a member number and keep names, phone numbers and e-mail addresses in the member directory")
        }
        guard id.utf8.allSatisfy(isMemberIDCharacter) else {
            throw RequestError("\(field) may hold only ASCII letters, digits, \".\", \"_\" and \"-\"")
        }
    }

    /// The node's admission policy for signed transactions (PDPA): a `loyalty-enrol` —
    /// the only body that brings a member id onto the chain — whose member id looks like
    /// personal data is not admitted, wherever it was signed. A policy of the node that
    /// receives it, not a ledger rule: blocks already holding such ids still verify.
    /// Returns the refusal's message, or nil.
    public static func admissionRefusal(_ body: TransactionBody) -> String? {
        guard case .application(let type, let payload) = body, type == POSBodyType.loyaltyEnrol,
              case .loyaltyEnrol(let enrol)? = try? POSBody.decode(type: type, payload: payload),
              let kind = personalDataKind(enrol.memberID) else { return nil }
        return "loyalty-enrol: the member id looks like \(kind): member ids must be pseudonymous (PDPA); "
            + "this node admits no such enrolment (docs/SECURITY.md)"
    }

    /// The stable code of an ``admissionRefusal(_:)`` in API answers.
    public static let admissionRefusalCode = 720

    /// What `id` looks like if it looks like personal data, or nil:
    /// - "an e-mail address": it contains "@";
    /// - "a phone number": with spaces and dashes removed it is a Singapore number (8 digits
    ///   starting 3, 6, 8 or 9, optionally after "+65" or "65"), or it holds a run of exactly
    ///   such digits (8, or 10 starting "65") between non-digits;
    /// - "an NRIC/FIN number": it holds S, T, F, G or M, 7 digits and a letter
    ///   (case-insensitive), also once spaces and dashes are removed.
    /// The id is checked as given and, if it holds percent-escapes (a URL path segment
    /// as sent), once more decoded. Demo and test ids such as `M01-0001`, `M1`, `T3-12`
    /// are none of these.
    public static func personalDataKind(_ id: String) -> String? {
        if id.contains("%"), let decoded = id.removingPercentEncoding, decoded != id, let kind = personalDataKind(decoded) {
            return kind
        }
        let scalars = Array(id.unicodeScalars)
        if scalars.contains("@") { return "an e-mail address" }
        let compact = scalars.filter { $0 != " " && $0 != "-" }
        if isSingaporePhone(compact[...]) { return "a phone number" }
        for run in digitRuns(scalars) where isSingaporePhone(run) { return "a phone number" }
        if containsNRIC(scalars) || containsNRIC(compact) { return "an NRIC/FIN number" }
        return nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// 8 digits starting 3, 6, 8 or 9, optionally after "+65" or "65".
    private static func isSingaporePhone(_ text: ArraySlice<Unicode.Scalar>) -> Bool {
        var digits = text
        let plus = digits.first == "+"
        if plus { digits = digits.dropFirst() }
        guard digits.allSatisfy(isDigit) else { return false }
        if digits.count == 10 && digits.starts(with: ["6", "5"]) {
            digits = digits.dropFirst(2)
        } else if plus {
            return false
        }
        guard digits.count == 8, let first = digits.first else { return false }
        return ["3", "6", "8", "9"].contains(first)
    }

    /// Maximal runs of ASCII digits, each with a "+" just before it kept.
    private static func digitRuns(_ scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var runs: [ArraySlice<Unicode.Scalar>] = []
        var index = 0
        while index < scalars.count {
            guard isDigit(scalars[index]) else { index += 1; continue }
            let start = index > 0 && scalars[index - 1] == "+" ? index - 1 : index
            while index < scalars.count && isDigit(scalars[index]) { index += 1 }
            runs.append(scalars[start..<index])
        }
        return runs
    }

    /// S, T, F, G or M, exactly 7 digits, then a letter (case-insensitive), anywhere.
    private static func containsNRIC(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.count >= 9 else { return false }
        for start in 0...(scalars.count - 9) where "STFGMstfgm".unicodeScalars.contains(scalars[start]) {
            if scalars[(start + 1)...(start + 7)].allSatisfy(isDigit) && isASCIILetter(scalars[start + 8]) { return true }
        }
        return false
    }

    /// A till's (or any signer's) principal name (``Limits/principalBytesMax``).
    public static func principal(_ name: String, field: String = "till") throws(RequestError) {
        try identifier(name, field, limit: Limits.principalBytesMax)
    }

    /// Characters of a reason given through the API: a quarter of ``POSLimits/reasonBytesMax``,
    /// so that any text within it fits the ledger's byte limit (a character is at most 4
    /// UTF-8 bytes) and docs/openapi.json can state the limit exactly.
    public static let reasonCharactersMax = POSLimits.reasonBytesMax / 4

    /// A refund or adjustment reason: at most ``reasonCharactersMax`` characters, no control characters.
    public static func reason(_ reason: String, field: String = "reason") throws(RequestError) {
        try text(reason, field, charactersMax: reasonCharactersMax)
        try check(reason, field, limit: POSLimits.reasonBytesMax)
    }

    /// Every SKU of a basket, and its line count (``POSLimits/linesMax``).
    public static func lines(_ lines: [StockLine], field: String = "lines") throws(RequestError) {
        guard lines.count <= POSLimits.linesMax else {
            throw RequestError("\(field) has \(lines.count) lines; the limit is \(POSLimits.linesMax)")
        }
        for (index, line) in lines.enumerated() { try sku(line.sku, field: "\(field)[\(index)].sku") }
    }

    /// The SKUs of a stock move (a receipt, a transfer, a stocktake) and their count
    /// (``POSLimits/stockLinesMax``), each SKU within ``POSLimits/skuBytesMax`` bytes. Only
    /// the limits the encoders and state keys hold: the chain admits on a stock move any SKU
    /// of the outlet's price list, and the state machine refuses the rest with its own codes.
    public static func stockLines(_ skus: [String], field: String = "lines") throws(RequestError) {
        guard skus.count <= POSLimits.stockLinesMax else {
            throw RequestError("\(field) has \(skus.count) lines; the limit is \(POSLimits.stockLinesMax)")
        }
        for (index, sku) in skus.enumerated() { try check(sku, "\(field)[\(index)].sku", limit: POSLimits.skuBytesMax) }
    }

    /// The text fields of a payment, against the limits of the tender they become.
    public static func payment(_ payment: Payment) throws(RequestError) {
        switch payment {
        case .cash: return
        case .card(let terminal, let approval, let rrn, let pan, let scheme):
            try card(terminal, approval, rrn, pan)
            try identifier(scheme, "payment.scheme", limit: POSLimits.cardSchemeBytesMax)
        case .nets(let terminal, let approval, let rrn, let pan):
            try card(terminal, approval, rrn, pan)
        case .payNow(_, let reference, let source):
            try identifier(reference, "payment.billReference", limit: POSLimits.billReferenceBytesMax)
            try identifier(source, "payment.confirmationSource", limit: POSLimits.referenceBytesMax)
        case .voucher(let id):
            try identifier(id, "payment.voucherId", limit: POSLimits.referenceBytesMax)
        }
    }

    private static func card(_ terminal: String, _ approval: String, _ rrn: String, _ pan: String) throws(RequestError) {
        try identifier(terminal, "payment.terminalId", limit: POSLimits.terminalIDBytesMax)
        try identifier(approval, "payment.approvalCode", limit: POSLimits.approvalCodeBytesMax)
        try identifier(rrn, "payment.rrn", limit: POSLimits.rrnBytesMax)
        try identifier(pan, "payment.maskedPan", limit: POSLimits.maskedPANBytesMax)
    }
}
