/// Reads an ESC/POS byte stream back into what the paper would show: text lines (with
/// alignment applied at the given width), and marked lines for the QR code's payload,
/// barcodes, cuts, drawer kicks and status queries. Unknown commands are shown, not
/// skipped, so a preview never hides a byte.
public struct EscPosRenderer: Sendable {
    public let columns: Int

    public init(columns: Int = 42) { self.columns = columns }

    /// What the stream prints.
    public struct Preview: Sendable, Equatable {
        public var lines: [String] = []
        public var qrPayloads: [String] = []
        public var barcodes: [String] = []
        public var cuts = 0
        public var drawerKicks = 0
        public var text: String { lines.joined(separator: "\n") }
    }

    public func render(_ bytes: [UInt8]) -> Preview {
        var preview = Preview()
        var line: [UInt8] = []
        var align: UInt8 = 0
        var qrStore = ""
        var index = 0
        func flush() {
            let text = String(line.map { byte -> Character in
                byte < 0x80 ? Character(Unicode.Scalar(byte)) : (CodePage437.reverse[byte] ?? "?")
            })
            let pad = max(0, columns - text.count)
            preview.lines.append(align == 1 ? String(repeating: " ", count: pad / 2) + text
                                 : align == 2 ? String(repeating: " ", count: pad) + text : text)
            line = []
        }
        func byte(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        while index < bytes.count {
            let current = bytes[index]
            switch current {
            case 0x0A:
                flush()
                index += 1
            case 0x1B:
                switch byte(1) {
                case 0x40: index += 2
                case 0x74, 0x45, 0x21, 0x2D, 0x4D: index += 3
                case 0x61:
                    align = byte(2) ?? 0
                    index += 3
                case 0x64:
                    for _ in 0..<(byte(2) ?? 0) { flush() }
                    index += 3
                case 0x70:
                    preview.drawerKicks += 1
                    preview.lines.append("[DRAWER KICK pin \(byte(2) == 1 ? 5 : 2)]")
                    index += 5
                default:
                    preview.lines.append("[ESC \(hex(byte(1) ?? 0))]")
                    index += 2
                }
            case 0x1D:
                switch byte(1) {
                case 0x28 where byte(2) == 0x6B:
                    let length = Int(byte(3) ?? 0) | Int(byte(4) ?? 0) << 8
                    let function = byte(6)
                    if function == 0x50, index + 8 <= bytes.count {
                        let end = min(bytes.count, index + 5 + length)
                        qrStore = String(decoding: bytes[(index + 8)..<end], as: UTF8.self)
                    } else if function == 0x51 {
                        preview.qrPayloads.append(qrStore)
                        preview.lines.append("[QR \(qrStore)]")
                    }
                    index += 5 + length
                case 0x68, 0x77, 0x66, 0x48, 0x21, 0x42: index += 3
                case 0x6B:
                    let kind = byte(2) ?? 0
                    if kind >= 65 {
                        let length = Int(byte(3) ?? 0)
                        let end = min(bytes.count, index + 4 + length)
                        var data = String(decoding: bytes[(index + 4)..<end], as: UTF8.self)
                        if data.hasPrefix("{B") { data.removeFirst(2) }
                        preview.barcodes.append(data)
                        preview.lines.append("[BARCODE \(kind == 73 ? "CODE128" : "type \(kind)") \(data)]")
                        index = end
                    } else {
                        var end = index + 3
                        while end < bytes.count && bytes[end] != 0 { end += 1 }
                        let data = String(decoding: bytes[(index + 3)..<end], as: UTF8.self)
                        preview.barcodes.append(data)
                        preview.lines.append("[BARCODE type \(kind) \(data)]")
                        index = end + 1
                    }
                case 0x56:
                    preview.cuts += 1
                    preview.lines.append(byte(2) == 1 ? "[PARTIAL CUT]" : "[CUT]")
                    index += (byte(2) == 0x41 || byte(2) == 0x42) ? 4 : 3
                default:
                    preview.lines.append("[GS \(hex(byte(1) ?? 0))]")
                    index += 2
                }
            case 0x10 where byte(1) == 0x04:
                preview.lines.append("[STATUS QUERY \(byte(2) ?? 0)]")
                index += 3
            default:
                if current >= 0x20 {
                    line.append(current)
                } else {
                    preview.lines.append("[\(hex(current))]")
                }
                index += 1
            }
        }
        if !line.isEmpty { flush() }
        return preview
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
