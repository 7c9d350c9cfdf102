/// A domain-separation tag: every hashed or signed structure is prefixed with its own
/// tag, so bytes of one kind can never be taken for another (docs/FORMAT.md §2).
///
/// The prefix is the tag's ASCII text followed by one 0x00 byte. No tag contains 0x00,
/// so no tag's prefix is a prefix of another's.
public struct DomainTag: Hashable, Sendable, CustomStringConvertible {
    /// The tag text, e.g. `SGPOS/tx/v1`.
    public let name: String
    /// ASCII bytes of `name` followed by 0x00.
    public let prefix: [UInt8]

    public init(_ name: String) {
        precondition(!name.isEmpty && name.utf8.count <= 64, "domain tag must be 1...64 bytes")
        precondition(name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }, "domain tag must be printable ASCII")
        self.name = name
        self.prefix = Array(name.utf8) + [0]
    }

    public var description: String { name }

    /// Transaction id: hash of the signed transaction's canonical bytes.
    public static let transactionID = DomainTag("SGPOS/tx-id/v1")
    /// What a transaction signer signs: this prefix plus the unsigned envelope bytes.
    public static let transactionSignature = DomainTag("SGPOS/tx-sig/v1")
    /// Block id: hash of the block header's canonical bytes.
    public static let blockID = DomainTag("SGPOS/block-id/v1")
    /// What a block producer signs: this prefix plus the header bytes.
    public static let blockSignature = DomainTag("SGPOS/block-sig/v1")
    /// Genesis id: hash of the genesis document's canonical bytes.
    public static let genesisID = DomainTag("SGPOS/genesis/v1")
    /// State root chaining: previous state root and the block's write-set hash.
    public static let stateRoot = DomainTag("SGPOS/state-root/v1")
    /// Network state root chaining: previous root and one checkpoint's network write-set hash.
    public static let networkRoot = DomainTag("SGPOS/network-root/v1")
    /// Hash of a block's canonical write set.
    public static let writeSet = DomainTag("SGPOS/write-set/v1")
    /// Key id: hash of an Ed25519 public key, for display.
    public static let keyID = DomainTag("SGPOS/key-id/v1")
}
