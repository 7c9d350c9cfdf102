import SGPOSCodec

/// Outlet (store) number as registered in genesis or by a register-outlet transaction.
/// 0 is reserved for network-wide principals (admins).
public typealias OutletID = UInt32

/// Milliseconds since the Unix epoch (UTC). Block and signer timestamps use it.
public typealias TimestampMs = UInt64

/// The network's chain id (`sgpos-demo-1`): 1...64 bytes of lower-case letters, digits
/// and '-'. Every transaction and block names it, so nothing replays across networks.
public struct ChainID: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init?(_ value: String) {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count <= Limits.chainIDBytesMax else { return nil }
        let allowed = bytes.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
        }
        guard allowed else { return nil }
        self.value = value
    }

    public var description: String { value }

    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeString(value, limit: Limits.chainIDBytesMax)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let at = decoder.offset
        let text = try decoder.readString("chain id", limit: Limits.chainIDBytesMax)
        guard let id = ChainID(text) else {
            throw .invalidValue("chain id must be 1...64 bytes of [a-z0-9-], got \"\(text)\"", at: at)
        }
        self = id
    }
}

/// A 128-bit id the client chooses for each submission. Submitting the same id again
/// returns the first result and never creates a second transaction.
public struct IdempotencyID: FixedSizeBytes {
    public static let byteCount = 16
    public let bytes: [UInt8]

    public init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == IdempotencyID.byteCount, "an idempotency id is 16 bytes")
        bytes = uncheckedBytes
    }
}

/// Checks a name or principal: non-empty, within `limit` bytes, no control characters.
func isValidLabel(_ text: String, limit: Int) -> Bool {
    let bytes = text.utf8
    guard !bytes.isEmpty, bytes.count <= limit else { return false }
    return text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
}
