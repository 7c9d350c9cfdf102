import PostgresNIO
import SGPOSChain
import SGPOSCodec
import SGPOSStore
import SGPOSCheckpointStore
import SGPOSConsensus
import SGPOSCrypto

extension PostgresMirror {
    /// Mirrors the final checkpoints the store holds (docs/EXPORT.md, "Checkpoints"), in
    /// height order, each with its heads in one PostgreSQL transaction, up to the first
    /// one with a head whose block is not mirrored yet (so every head joins `blocks`).
    /// A mirrored checkpoint whose value id is not the store's at that height stops the
    /// export with error 902. Returns how many were written.
    @discardableResult
    public func exportCheckpoints(_ consensus: ConsensusStorage) async throws -> Int {
        var last: (height: Int64, valueID: String)?
        try await database("reading the mirrored checkpoints") {
            let rows = try await client.query("SELECT height, value_id FROM checkpoints ORDER BY height DESC LIMIT 1", logger: logger)
            for try await (height, id) in rows.decode((Int64, String).self) { last = (height, id) }
        }
        if let last {
            let held = try consensus.certificate(height: UInt64(last.height))
            guard held?.valueID.hex == last.valueID else {
                throw ExportError(.historyMismatch, "the mirror's checkpoint \(last.height) is \(last.valueID), this node's is \(held?.valueID.hex ?? "missing"); refusing to mix histories")
            }
        }
        var marks: [UInt32: UInt64] = [:]
        for outlet in store.genesis.outlets.map(\.id) { marks[outlet] = try await watermark(outlet).height }
        var written = 0
        var height = UInt64(last?.height ?? 0) + 1
        while let certificate = try consensus.certificate(height: height) {
            let rows = try CheckpointRows(certificate)
            guard rows.headHeights.allSatisfy({ (marks[$0.key] ?? 0) >= $0.value }) else { break }
            try await database("exporting checkpoint \(height)") {
                try await client.withTransaction(logger: logger) { connection in
                    try await insert("checkpoints", [rows.checkpoint], connection, columns: CheckpointRows.columns)
                    try await insert("checkpoint_heads", rows.heads, connection, columns: CheckpointRows.headColumns)
                }
            }
            written += 1
            height += 1
        }
        return written
    }
}
