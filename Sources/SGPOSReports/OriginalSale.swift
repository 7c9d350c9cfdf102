import SGPOSChain
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// The sale a refund or a void refers to, read from a store: reports, the mirror's
/// ``BlockRows`` and the explorer all look it up here.
public enum OriginalSale {
    /// The sale with transaction id `id` in `store`; a ``ReportError`` with code 803 when
    /// the store holds no sale of that id.
    public static func find(_ id: Hash256, store: LedgerStore, _ transaction: LMDBTransaction) throws -> Sale {
        guard let stored = try store.storedTransaction(id, transaction),
              case .application(let type, let payload) = stored.signed.envelope.body,
              case .sale(let sale) = try POSBody.decode(type: type, payload: payload)
        else { throw ReportError(.store, "sale \(id) referred to by a refund or void is not in this store") }
        return sale
    }
}
