/// A value that is exactly ``byteCount`` bytes: hashes, keys, signatures, ids.
/// Conformers get validated and hex initialisers, hex text, bytewise hashing, equality
/// and order, and their canonical encoding (the bytes, no prefix) from this protocol.
public protocol FixedSizeBytes: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The exact length in bytes.
    static var byteCount: Int { get }
    /// The bytes; always ``byteCount`` of them.
    var bytes: [UInt8] { get }
    /// Wraps bytes already known to be ``byteCount`` long.
    init(uncheckedBytes: [UInt8])
}

extension FixedSizeBytes {
    /// Wraps `bytes`; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.init(uncheckedBytes: bytes)
    }

    /// Parses exactly `2 × byteCount` hex digits.
    public init?(hex: String) {
        guard let raw = Hex.decode(hex) else { return nil }
        self.init(bytes: raw)
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.bytes == rhs.bytes }

    /// Hashes the bytes in one call (the synthesised version feeds them one by one).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Bytewise order.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Writes the bytes (fixed length, no prefix).
    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeFixed(bytes, count: Self.byteCount)
    }

    /// Reads ``byteCount`` bytes.
    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        self.init(uncheckedBytes: try decoder.readFixed("\(Self.self)", count: Self.byteCount))
    }
}
