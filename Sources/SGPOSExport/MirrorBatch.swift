import PostgresNIO
import SGPOSChain
import SGPOSReports
import SGPOSStore

/// Consecutive blocks of one outlet, read from the store, their rows encoded for COPY by
/// table: what one PostgreSQL transaction of the mirror writes.
struct MirrorBatch: Sendable {
    /// ``CopyText`` lines by table (only tables with rows).
    var text: [String: ByteBuffer] = [:]
    var rows = 0
    var blocks: UInt64 = 0
    /// The watermark after the batch: its last block, and the period after it.
    var last: PostgresMirror.Watermark

    mutating func add(_ block: BlockRows, height: UInt64, blockID: String) {
        for (table, rows) in block.rows where !rows.isEmpty {
            var buffer = text.removeValue(forKey: table) ?? ByteBuffer()
            for row in rows { CopyText.append(row, to: &buffer) }
            text[table] = buffer
            self.rows += rows.count
        }
        blocks += 1
        last = (height, blockID, block.period)
    }
}

extension PostgresMirror {
    /// The blocks after `mark`, at most `blocksMax` and about ``batchRowsMax`` rows, in one
    /// read transaction of the store.
    func batch(_ outlet: OutletID, after mark: Watermark, blocksMax: UInt64) throws -> MirrorBatch {
        try read { transaction in
            var batch = MirrorBatch(last: mark)
            while batch.blocks < blocksMax, batch.rows < Self.batchRowsMax {
                let height = batch.last.height + 1
                let (rows, id) = try BlockRows.read(store, outlet: outlet, height: height, period: batch.last.period, transaction)
                batch.add(rows, height: height, blockID: id)
            }
            return batch
        }
    }
}
