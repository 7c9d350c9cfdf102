import SGPOSReports

/// The CSV text of the audit files (docs/EXPORT.md, "Audit files"): RFC 4180 — UTF-8, a
/// header line, each line ended by CR LF, fields separated by commas.
///
/// - An integer is written in decimal (`-` before a negative one); NULL as an empty field.
/// - A boolean is `true` or `false`.
/// - A text value that begins with `=`, `+`, `-`, `@`, a tab, a carriage return or an
///   apostrophe is written with one apostrophe before it, so that a spreadsheet shows it
///   instead of running it as a formula; a reader drops the first character of a text
///   field that begins with an apostrophe.
/// - A field is enclosed in double quotes when it contains a comma, a double quote, a CR
///   or a LF, and each double quote inside is doubled.
public enum AuditCSV {
    /// One line: the fields and CR LF.
    public static func line(_ values: [ExportValue]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 12)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            switch value {
            case .int(let int): bytes += Array(String(int).utf8)
            case .bool(let bool): bytes += Array((bool ? "true" : "false").utf8)
            case .null: break
            case .text(let text): append(text, to: &bytes)
            }
        }
        bytes += [0x0D, 0x0A]
        return bytes
    }

    /// The header line of `columns`.
    public static func header(_ columns: [String]) -> [UInt8] { line(columns.map { .text($0) }) }

    /// The text escaping is ``CSVField``'s, shared with the report CSV (SGPOSReports).
    private static func append(_ text: String, to bytes: inout [UInt8]) { CSVField.appendText(text, to: &bytes) }
}
