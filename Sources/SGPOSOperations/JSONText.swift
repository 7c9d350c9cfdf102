/// JSON written straight into bytes, for the answers a node gives once per transaction
/// (the submit answer with its proof): `JSONEncoder` costs more than the rest of such an
/// answer. The caller writes an object's keys in sorted order, so the text is what
/// `JSONEncoder` with `.sortedKeys` writes, escapes included (`/` as `\/`, as it does).
public struct JSONText: Sendable {
    /// The text so far, UTF-8.
    public private(set) var bytes: [UInt8] = []
    private var atFirstMember = true

    public init(capacity: Int = 1_024) { bytes.reserveCapacity(capacity) }

    /// Opens an object; its members follow with ``key(_:)``.
    public mutating func openObject() {
        bytes.append(UInt8(ascii: "{"))
        atFirstMember = true
    }

    /// Closes the innermost open object.
    public mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        atFirstMember = false
    }

    /// Starts a member of the open object: its name; its value is written next.
    public mutating func key(_ name: String) {
        if !atFirstMember { bytes.append(UInt8(ascii: ",")) }
        atFirstMember = false
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// A string value.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        // Ids, keys and hex need no escape: copy them whole.
        var value = value
        let copied = value.withUTF8 { utf8 -> Bool in
            for byte in utf8 where Self.needsEscape(byte) { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0x0a: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0c: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0x0f))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// An unsigned integer value.
    public mutating func number(_ value: UInt64) {
        bytes.append(contentsOf: Array(String(value).utf8))
    }

    /// An array of string values.
    public mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (position, value) in values.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/")
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }
}
