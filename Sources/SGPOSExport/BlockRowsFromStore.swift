import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSReports
import SGPOSState
import SGPOSStore

extension BlockRows {
    /// The rows of block `height` of `outlet` in `store`, whose first transaction falls in
    /// `period`, and the block's id (hex): exactly what the mirror writes for that block.
    public static func read(_ store: LedgerStore, outlet: OutletID, height: UInt64, period: UInt64) throws -> (rows: BlockRows, blockID: String) {
        try store.environment.read { try read(store, outlet: outlet, height: height, period: period, $0) }
    }

    static func read(_ store: LedgerStore, outlet: OutletID, height: UInt64, period: UInt64,
                     _ transaction: LMDBTransaction) throws -> (rows: BlockRows, blockID: String) {
        guard let block = try store.block(outlet, height: height, transaction) else {
            throw ExportError(.store, "outlet \(outlet): block \(height) is missing from the store")
        }
        let state = store.stateReader(outlet, transaction)
        let rows = try BlockRows(block: block, outlet: outlet, period: period, principal: { key in
            try state.read(.key(key)).map { try KeyRecord(canonicalBytes: $0).principal } ?? key.hex
        }, sale: { id in try PostgresMirror.sale(id, store: store, transaction) })
        return (rows, block.header.id.hex)
    }
}
