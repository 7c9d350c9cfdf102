import SGPOSCodec
import SGPOSCrypto

/// Records an application writes that it can rebuild from the transaction that wrote
/// them and a few bytes more (a *reference*), so a store may keep the reference in place
/// of the record (docs/FORMAT.md §9.1: a sale's record kept in its `tx-index` entry).
/// The records of ``table`` are keyed by the id of the transaction that wrote them.
public protocol RecordReferences: Sendable {
    /// The table whose records may be kept as references.
    var table: StateTable { get }

    /// The reference standing for `record` as `transaction` wrote it under its own id, or
    /// nil when ``record(referencedBy:writtenBy:)`` of no reference gives back exactly `record`.
    func reference(to record: [UInt8], writtenBy transaction: SignedTransaction) -> [UInt8]?

    /// The record `reference` stands for, or nil when `reference` does not decode or
    /// `transaction` is not one that writes a record of ``table``.
    func record(referencedBy reference: [UInt8], writtenBy transaction: SignedTransaction) -> [UInt8]?
}
