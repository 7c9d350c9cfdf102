import Crypto
import SGPOSCodec

/// A SHA-256 digest: block ids, transaction ids, Merkle nodes, state roots.
public struct Hash256: FixedSizeBytes, CanonicalEncodable, CanonicalDecodable {
    /// Digest size in bytes.
    public static let byteCount = 32
    /// The all-zero value, used only where docs/FORMAT.md says so.
    public static let zero = Hash256(unchecked: [UInt8](repeating: 0, count: byteCount))

    /// The 32 digest bytes.
    public let bytes: [UInt8]

    public init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == Hash256.byteCount, "a SHA-256 digest is 32 bytes")
        bytes = uncheckedBytes
    }

    init(unchecked bytes: [UInt8]) { self.init(uncheckedBytes: bytes) }

    /// Plain SHA-256 of `data` (no domain tag). Used by the RFC 9162 Merkle hashes,
    /// whose 0x00/0x01 prefixes are their own domain separation.
    public static func sha256(_ data: [UInt8]) -> Hash256 {
        // swift-crypto (BoringSSL, SHA-NI where the CPU has it): the fastest SHA-256 here
        // at every size we hash (docs/PERFORMANCE.md).
        Hash256(digest: Crypto.SHA256.hash(data: data))
    }

    /// SHA-256 of `prefix` ‖ `first` ‖ `second`, without joining them first (the RFC 9162
    /// leaf and node hashes).
    public static func sha256(prefix: UInt8, _ first: [UInt8], _ second: [UInt8] = []) -> Hash256 {
        var hasher = Crypto.SHA256()
        withUnsafeBytes(of: prefix) { hasher.update(bufferPointer: $0) }
        hasher.update(data: first)
        if !second.isEmpty { hasher.update(data: second) }
        return Hash256(digest: hasher.finalize())
    }

    /// The tagged hash of an array (the generic form below, without its dynamic cast).
    public static func tagged(_ tag: DomainTag, _ data: [UInt8]) -> Hash256 {
        var hasher = Crypto.SHA256()
        hasher.update(data: tag.prefix)
        hasher.update(data: data)
        return Hash256(digest: hasher.finalize())
    }

    /// The tagged hash of a slice (a transaction inside a block's bytes), without copying it.
    public static func tagged(_ tag: DomainTag, _ data: ArraySlice<UInt8>) -> Hash256 {
        var hasher = Crypto.SHA256()
        hasher.update(data: tag.prefix)
        data.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return Hash256(digest: hasher.finalize())
    }

    /// SHA-256 over the domain tag's bytes followed by `data` (docs/FORMAT.md §2).
    public static func tagged(_ tag: DomainTag, _ data: some Sequence<UInt8>) -> Hash256 {
        var hasher = Crypto.SHA256()
        hasher.update(data: tag.prefix)
        if let contiguous = data as? [UInt8] {
            hasher.update(data: contiguous)
        } else {
            hasher.update(data: Array(data))
        }
        return Hash256(digest: hasher.finalize())
    }

    private init(digest: Crypto.SHA256.Digest) {
        self.init(unchecked: digest.withUnsafeBytes { Array($0) })
    }
}
