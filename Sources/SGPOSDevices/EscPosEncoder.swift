/// ESC/POS bytes for receipt printers, command by command, byte-compatible with
/// python-escpos 3.1 for the same commands (Tests check it against python-escpos
/// itself). Every command is also recorded in ``commands`` so an independent encoder can
/// replay the same sequence.
public struct EscPosEncoder: Sendable {
    public enum Alignment: String, Sendable, Codable { case left, center, right }
    public enum TextSize: String, Sendable, Codable { case normal, doubleHeight, doubleWidth, double }

    /// One command, as data (replayed by scripts/escpos-golden with python-escpos).
    public enum Command: Sendable, Codable, Equatable {
        case initialize
        case set(align: Alignment?, bold: Bool?, size: TextSize?)
        case text(String)
        case qr(String, size: UInt8)
        case barcode128(String)
        case feed(lines: UInt8)
        case cut(partial: Bool)
        case cashDrawer(pin: UInt8)
    }

    public private(set) var bytes: [UInt8] = []
    public private(set) var commands: [Command] = []
    private var codePageSelected = false

    public init() {}

    public mutating func apply(_ command: Command) {
        commands.append(command)
        switch command {
        case .initialize:
            bytes += [0x1B, 0x40]
        case .set(let align, let bold, let size):
            if let size {
                // python-escpos: TXT_NORMAL, then the size (ESC ! n).
                bytes += [0x1B, 0x21, 0x00, 0x1B, 0x21, 0x00]
                let mode: UInt8 = switch size {
                case .normal: 0x00
                case .doubleHeight: 0x10
                case .doubleWidth: 0x20
                case .double: 0x30
                }
                bytes += [0x1B, 0x21, mode]
            }
            if let bold { bytes += [0x1B, 0x45, bold ? 1 : 0] }
            if let align {
                bytes += [0x1B, 0x61, align == .left ? 0 : align == .center ? 1 : 2]
            }
        case .text(let text):
            if !codePageSelected {
                bytes += [0x1B, 0x74, 0x00]  // code page 0: PC437
                codePageSelected = true
            }
            bytes += CodePage437.encode(text)
        case .qr(let data, let size):
            let payload = Array(data.utf8)
            let storeLength = payload.count + 3
            bytes += [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]  // model 2
            bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, size]  // module size
            bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x30]  // error correction L
            bytes += [0x1D, 0x28, 0x6B, UInt8(storeLength & 0xFF), UInt8(storeLength >> 8), 0x31, 0x50, 0x30] + payload
            bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]  // print
        case .barcode128(let data):
            // CODE128, function B (GS k 73 n "{B"…): centred, height 64, width 2, HRI below in font A.
            let payload = Array(("{B" + data).utf8)
            bytes += [0x1B, 0x61, 0x01, 0x1D, 0x68, 64, 0x1D, 0x77, 2, 0x1D, 0x66, 0x00, 0x1D, 0x48, 0x02]
            bytes += [0x1D, 0x6B, 73, UInt8(payload.count)] + payload
        case .feed(let lines):
            bytes += Array(repeating: 0x0A, count: Int(lines))
        case .cut(let partial):
            bytes += [0x1B, 0x64, 0x06, 0x1D, 0x56, partial ? 0x01 : 0x00]
        case .cashDrawer(let pin):
            bytes += [0x1B, 0x70, pin == 5 ? 0x01 : 0x00, 0x32, 0x32]
        }
    }

    /// DLE EOT n: real-time status (1 printer, 2 offline cause, 4 paper sensor).
    public static func statusQuery(_ n: UInt8) -> [UInt8] { [0x10, 0x04, n] }
}

/// Code page 437 for the characters a Singapore receipt uses; anything else prints as "?".
enum CodePage437 {
    static let extra: [Character: UInt8] = [
        "Ç": 0x80, "ü": 0x81, "é": 0x82, "â": 0x83, "ä": 0x84, "à": 0x85, "å": 0x86, "ç": 0x87, "ê": 0x88, "ë": 0x89,
        "è": 0x8A, "ï": 0x8B, "î": 0x8C, "ì": 0x8D, "Ä": 0x8E, "Å": 0x8F, "É": 0x90, "ô": 0x93, "ö": 0x94, "ò": 0x95,
        "û": 0x96, "ù": 0x97, "Ö": 0x99, "Ü": 0x9A, "£": 0x9C, "¥": 0x9D, "á": 0xA0, "í": 0xA1, "ó": 0xA2, "ú": 0xA3,
        "ñ": 0xA4, "Ñ": 0xA5, "°": 0xF8,
    ]
    static let reverse: [UInt8: Character] = Dictionary(uniqueKeysWithValues: extra.map { ($0.value, $0.key) })

    static func encode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for character in text {
            if let ascii = character.asciiValue, ascii == 0x0A || (ascii >= 0x20 && ascii < 0x7F) {
                out.append(ascii)
            } else {
                out.append(extra[character] ?? UInt8(ascii: "?"))
            }
        }
        return out
    }
}
