/// Lower-case hexadecimal text, the one spelling of ids, keys and bytes in JSON and logs.
public enum Hex {
    /// Encodes bytes as lower-case hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) { return text }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// Encodes the bytes of `buffer` as lower-case hex, writing the text in place (no
    /// per-byte generic dispatch: the submit answer hex-encodes a few KiB per request).
    public static func encode(_ buffer: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: buffer.count * 2) { out in
            var position = 0
            for byte in buffer {
                out[position] = digit(byte >> 4)
                out[position + 1] = digit(byte & 0x0f)
                position += 2
            }
            return position
        }
    }

    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    /// Decodes canonical (lower-case) hex; nil for odd length, a non-hex character or an
    /// upper-case digit (one value has one spelling: ids compare as text too).
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes canonical (lower-case) hex from UTF-8 bytes; nil as ``decode(_:)-(String)``.
    public static func decode(_ utf8: UnsafeRawBufferPointer) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: utf8.count / 2) { out, written in
            var index = 0
            while index < utf8.count {
                guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else {
                    failed = true
                    break
                }
                out[index / 2] = high << 4 | low
                index += 2
            }
            written = index / 2
        }
        return failed ? nil : out
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
