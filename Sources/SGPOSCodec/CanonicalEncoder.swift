/// Writes the canonical byte encoding of ledger structures (docs/FORMAT.md §1).
///
/// Integers are fixed-width big-endian, byte strings and text carry a u32 length
/// prefix, sequences a u32 count. There is exactly one encoding of every value, so
/// hashes and signatures cover exactly one byte string per value.
///
/// The writes are `@inlinable`: the state machine encodes millions of fields, each a call
/// across modules otherwise.
public struct CanonicalEncoder: Sendable {
    /// The bytes written so far.
    @inlinable public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8]

    public init(capacity: Int = 256) {
        precondition(capacity >= 0, "capacity must not be negative")
        storage = []
        storage.reserveCapacity(capacity)
    }

    @inlinable public mutating func writeU8(_ value: UInt8) { storage.append(value) }

    @inlinable public mutating func writeBool(_ value: Bool) { storage.append(value ? 1 : 0) }

    @inlinable public mutating func writeU16(_ value: UInt16) { appendBigEndian(value) }

    @inlinable public mutating func writeU32(_ value: UInt32) { appendBigEndian(value) }

    @inlinable public mutating func writeU64(_ value: UInt64) { appendBigEndian(value) }

    @inlinable public mutating func writeI64(_ value: Int64) { appendBigEndian(UInt64(bitPattern: value)) }

    /// Writes bytes whose length both sides know (keys, hashes, signatures): no prefix.
    @inlinable public mutating func writeFixed(_ value: some Collection<UInt8>, count: Int) {
        precondition(value.count == count, "fixed field must be exactly \(count) bytes, got \(value.count)")
        storage.append(contentsOf: value)
    }

    /// Writes a u32 length and the bytes. `limit` is the same bound the decoder enforces.
    @inlinable public mutating func writeBytes(_ value: some Collection<UInt8>, limit: Int) {
        precondition(value.count <= limit, "byte string of \(value.count) bytes exceeds its limit \(limit)")
        precondition(limit <= Int(UInt32.max), "limit must fit in a u32 length prefix")
        writeU32(UInt32(value.count))
        storage.append(contentsOf: value)
    }

    /// Writes UTF-8 text with a u32 byte-length prefix. `limit` counts bytes.
    @inlinable public mutating func writeString(_ value: String, limit: Int) {
        var value = value
        value.withUTF8 { writeBytes($0, limit: limit) }  // no intermediate array
    }

    /// Writes a u32 element count; the caller then writes each element.
    @inlinable public mutating func writeCount(_ count: Int, limit: Int) {
        precondition(count >= 0 && count <= limit, "sequence of \(count) elements exceeds its limit \(limit)")
        writeU32(UInt32(count))
    }

    @inlinable mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        var bigEndian = value.bigEndian
        withUnsafeBytes(of: &bigEndian) { storage.append(contentsOf: $0) }
    }
}

/// A value with exactly one canonical byte encoding.
public protocol CanonicalEncodable {
    /// Appends this value's canonical encoding.
    func encode(to encoder: inout CanonicalEncoder)
}

extension CanonicalEncodable {
    /// This value's canonical encoding as a fresh byte array.
    public var canonicalBytes: [UInt8] {
        var encoder = CanonicalEncoder()
        encode(to: &encoder)
        return encoder.bytes
    }
}
