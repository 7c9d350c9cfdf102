import SGPOSChain

/// What a block's commit stores in the compressed form (docs/FORMAT.md §9.1), compressed
/// before the write transaction: the block, one zlib stream per 64-transaction chunk, and
/// the values it writes to the compressed state tables (a sale's record and pricing).
/// The block writer is one thread and the ledger's bottleneck when tills upload batches;
/// these streams are independent, so a large block's are deflated on every core instead
/// of one after another on that thread (A/B against the writer deflating alone: see
/// benchmarks/RESULTS.md, 2026-12-06 late night).
public struct PreparedWrite: Sendable {
    /// The block's stored form.
    public let storedBlock: [UInt8]
    /// The stored form of each compressed-table value the block writes (absent: a deletion
    /// or a table stored as it is).
    public let storedState: [StateKey: [UInt8]]

    /// Below this many input bytes, all streams are deflated on the calling thread: handing
    /// work to other cores costs more than a few small streams (a block of one to a few
    /// sales, as a till submitting one sale at a time makes).
    public static let parallelBytesMin = 32 * 1024

    /// Compresses `block` and the compressed-table values of `writes`.
    public init(block: Block, writes: WriteSet) {
        let encoded = block.encoded
        let ranges = StoredCompression.segmentRanges(count: encoded.count,
                                                     cuts: StoreLayout.blockCuts(encoded, transactionLengths: block.transactions.map(\.encoded.count)))
        var records: [(key: StateKey, value: [UInt8])] = []
        writes.forEachUnordered { key, value in
            if let value, StoreLayout.compressedStateTables.contains(key.table.rawValue) { records.append((key, value)) }
        }
        let jobs = ranges.count + records.count
        let inputBytes = encoded.count + records.reduce(0) { $0 + $1.value.count }
        let stream: @Sendable (Int) -> [UInt8] = { [records] job in
            job < ranges.count
                ? StoredCompression.deflated(encoded[ranges[job]], level: StoredCompression.blockLevel)
                : StoredCompression.compress(records[job - ranges.count].value, level: StoredCompression.stateLevel)
        }
        let outputs = jobs > 1 && inputBytes >= Self.parallelBytesMin ? parallelMap(jobs, stream) : (0..<jobs).map(stream)
        storedBlock = StoredCompression.assemble(count: encoded.count, streams: Array(outputs[..<ranges.count]))
        var state: [StateKey: [UInt8]] = [:]
        state.reserveCapacity(records.count)
        for (offset, record) in records.enumerated() { state[record.key] = outputs[ranges.count + offset] }
        storedState = state
    }
}
