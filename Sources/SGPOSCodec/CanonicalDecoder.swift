/// Reads canonical encodings and rejects everything that is not one: truncated input,
/// lengths over their limit, booleans other than 0/1, invalid UTF-8 and trailing bytes.
public struct CanonicalDecoder: Sendable {
    private let bytes: [UInt8]
    /// Offset of the next byte to read.
    public private(set) var offset: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// Bytes not yet read.
    public var remaining: Int { bytes.count - offset }

    public mutating func readU8(_ field: String) throws(CodecError) -> UInt8 {
        try need(1, field)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool(_ field: String) throws(CodecError) -> Bool {
        let at = offset
        switch try readU8(field) {
        case 0: return false
        case 1: return true
        case let other: throw .nonCanonical("\(field): boolean must be 0 or 1, got \(other)", at: at)
        }
    }

    public mutating func readU16(_ field: String) throws(CodecError) -> UInt16 {
        try readBigEndian(UInt16.self, field)
    }

    public mutating func readU32(_ field: String) throws(CodecError) -> UInt32 {
        try readBigEndian(UInt32.self, field)
    }

    public mutating func readU64(_ field: String) throws(CodecError) -> UInt64 {
        try readBigEndian(UInt64.self, field)
    }

    public mutating func readI64(_ field: String) throws(CodecError) -> Int64 {
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
        let raw = try readBytes(field, limit: limit)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw .invalidUTF8("\(field): text is not valid UTF-8", at: at)
        }
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
    public func finish(_ structure: String) throws(CodecError) {
        guard remaining == 0 else {
            throw .trailingBytes("\(structure): \(remaining) trailing bytes after the end", at: offset)
        }
    }

    private func need(_ count: Int, _ field: String) throws(CodecError) {
        guard remaining >= count else {
            throw .truncated("\(field): needs \(count) bytes, \(remaining) left", at: offset)
        }
    }

    private mutating func readBigEndian<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, _ field: String
    ) throws(CodecError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        var value: T = 0
        for index in offset..<(offset + size) {
            value = (value << 8) | T(bytes[index])
        }
        offset += size
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
