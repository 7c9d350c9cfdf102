/// One field of CSV text as the ledger writes it (RFC 4180), for the report CSV
/// (``ReportCSV``) and the audit files (SGPOSExport's `AuditCSV`): one rule in one place.
///
/// - A text value that begins with `=`, `+`, `-`, `@`, a tab, a carriage return or an
///   apostrophe is written with one apostrophe before it, so that a spreadsheet shows it
///   instead of running it as a formula; a reader drops the first character of a text
///   field that begins with an apostrophe.
/// - A field is enclosed in double quotes when it contains a comma, a double quote, a CR
///   or a LF, and each double quote inside is doubled.
/// - A number (an integer, or money as the JSON writes it: `-12.30`) is written as it is,
///   so a spreadsheet reads it as a number; anything else given as a number is text.
public enum CSVField {
    /// The bytes that make a text field start with an apostrophe: = + - @ TAB CR '.
    public static let formulaStarts: Set<UInt8> = [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x27]

    /// Appends `text` as a text field to `bytes`.
    public static func appendText(_ text: String, to bytes: inout [UInt8]) {
        var utf8 = Array(text.utf8)
        if let first = utf8.first, formulaStarts.contains(first) { utf8.insert(0x27, at: 0) }
        guard utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else {
            bytes += utf8
            return
        }
        bytes.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { bytes.append(0x22) }
            bytes.append(byte)
        }
        bytes.append(0x22)
    }

    /// `text` as a text field.
    public static func text(_ text: String) -> String {
        var bytes: [UInt8] = []
        appendText(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `value` as a number field when it is one (`-?digits(.digits)?`), else as text.
    public static func number(_ value: String) -> String {
        isNumber(value) ? value : text(value)
    }

    /// Whether `value` is an optional minus, digits, and optionally a point and digits.
    public static func isNumber(_ value: String) -> Bool {
        var utf8 = Substring(value).utf8[...]
        if utf8.first == 0x2D { utf8 = utf8.dropFirst() }
        let parts = utf8.split(separator: 0x2E, maxSplits: 1, omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), value.utf8.last != 0x2E else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { (0x30...0x39).contains($0) } }
    }
}
