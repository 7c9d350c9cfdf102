/// Reads canonical encodings and rejects everything that is not one: truncated input,
/// lengths over their limit, booleans other than 0/1, invalid UTF-8 and trailing bytes.
///
/// The fixed-width reads are `@inlinable` (their failure paths are not): the state machine
/// and the audit decode millions of fields, each a call across modules otherwise.
public struct CanonicalDecoder: Sendable {
    @usableFromInline let bytes: [UInt8]
    /// Offset of the next byte to read.
    public internal(set) var offset: Int {
        get { position }
        set { position = newValue }
    }
    @usableFromInline var position: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { bytes.count - position }

    @inlinable public mutating func readU8(_ field: String) throws(CodecError) -> UInt8 {
        try need(1, field)
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readBool(_ field: String) throws(CodecError) -> Bool {
        let at = offset
        switch try readU8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .nonCanonical("\(field): boolean must be 0 or 1, got \(other)", at: at)
        }
    }

    @inlinable public mutating func readU16(_ field: String) throws(CodecError) -> UInt16 {
        try readBigEndian(UInt16.self, field)
    }

    @inlinable public mutating func readU32(_ field: String) throws(CodecError) -> UInt32 {
        try readBigEndian(UInt32.self, field)
    }

    @inlinable public mutating func readU64(_ field: String) throws(CodecError) -> UInt64 {
        try readBigEndian(UInt64.self, field)
    }

    @inlinable public mutating func readI64(_ field: String) throws(CodecError) -> Int64 {
        Int64(bitPattern: try readBigEndian(UInt64.self, field))
    }

    /// Reads exactly `count` bytes (no length prefix).
    public mutating func readFixed(_ field: String, count: Int) throws(CodecError) -> [UInt8] {
        precondition(count >= 0, "fixed field length must not be negative")
        try need(count, field)
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Reads a u32 length and that many bytes; the length must be at most `limit`.
    public mutating func readBytes(_ field: String, limit: Int) throws(CodecError) -> [UInt8] {
        let at = offset
        let length = Int(try readU32(field))
        guard length <= limit else {
            throw .lengthExceedsLimit("\(field): length \(length) exceeds limit \(limit)", at: at)
        }
        return try readFixed(field, count: length)
    }

    /// Reads a u32 length (at most `limit`) and steps over that many bytes without copying
    /// them; returns where they are in the input.
    public mutating func skipBytes(_ field: String, limit: Int) throws(CodecError) -> Range<Int> {
        let at = offset
        let length = Int(try readU32(field))
        guard length <= limit else {
            throw .lengthExceedsLimit("\(field): length \(length) exceeds limit \(limit)", at: at)
        }
        try need(length, field)
        defer { offset += length }
        return offset..<(offset + length)
    }

    /// Reads u32-length-prefixed UTF-8 text of at most `limit` bytes.
    public mutating func readString(_ field: String, limit: Int) throws(CodecError) -> String {
        let at = offset
        let range = try skipBytes(field, limit: limit)
        // Validated straight from the input, no intermediate array; ASCII (SKUs, ids,
        // names) is valid UTF-8 as it stands and takes the quick path.
        let text: String? = bytes.withUnsafeBufferPointer { all in
            let raw = UnsafeBufferPointer(rebasing: all[range])
            var ascii = true
            for byte in raw where byte >= 0x80 {
                ascii = false
                break
            }
            return ascii ? String(decoding: raw, as: UTF8.self) : String(validating: raw, as: UTF8.self)
        }
        guard let text else { throw .invalidUTF8("\(field): text is not valid UTF-8", at: at) }
        return text
    }

    /// Reads a u32 element count of at most `limit`.
    public mutating func readCount(_ field: String, limit: Int) throws(CodecError) -> Int {
        let at = offset
        let count = Int(try readU32(field))
        guard count <= limit else {
            throw .lengthExceedsLimit("\(field): \(count) elements exceed limit \(limit)", at: at)
        }
        return count
    }

    /// Fails unless every byte was consumed: trailing bytes make an encoding non-canonical.
    public func finish(_ structure: @autoclosure () -> String) throws(CodecError) {
        guard remaining == 0 else {
            throw .trailingBytes("\(structure()): \(remaining) trailing bytes after the end", at: offset)
        }
    }

    @inlinable func need(_ count: Int, _ field: String) throws(CodecError) {
        guard remaining >= count else { throw truncated(count, field) }
    }

    @usableFromInline func truncated(_ count: Int, _ field: String) -> CodecError {
        .truncated("\(field): needs \(count) bytes, \(remaining) left", at: offset)
    }

    @inlinable mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, _ field: String
    ) throws(CodecError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        var value: T = 0
        for index in position..<(position + size) {
            value = (value << 8) | T(bytes[index])
        }
        position += size
        return value
    }
}

/// A value decodable from its canonical encoding.
public protocol CanonicalDecodable {
    init(from decoder: inout CanonicalDecoder) throws(CodecError)
}

extension CanonicalDecodable {
    /// Decodes a whole byte string; trailing bytes are an error.
    public init(canonicalBytes: [UInt8]) throws(CodecError) {
        var decoder = CanonicalDecoder(canonicalBytes)
        self = try Self(from: &decoder)
        try decoder.finish("\(Self.self)")
    }
}
