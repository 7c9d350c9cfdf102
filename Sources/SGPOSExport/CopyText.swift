import PostgresNIO
import SGPOSReports

/// Rows in PostgreSQL's `COPY … FROM STDIN` text format: one line per row, columns
/// separated by tabs, NULL as `\N`, booleans `t`/`f`, and a backslash, tab, newline or
/// carriage return in a text value escaped (`\\`, `\t`, `\n`, `\r`). What the mirror
/// streams inside its transaction, and what `sgpos export bench` loads with psql's `\copy`.
public enum CopyText {
    /// Appends `row` as one line to `buffer`.
    public static func append(_ row: [ExportValue], to buffer: inout ByteBuffer) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .int(let int): buffer.writeString(String(int))
            case .bool(let bool): buffer.writeInteger(bool ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            case .null: buffer.writeStaticString("\\N")
            case .text(let text): append(text, to: &buffer)
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private static func append(_ text: String, to buffer: inout ByteBuffer) {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            buffer.writeString(text)
            return
        }
        for byte in utf8 {
            switch byte {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}
