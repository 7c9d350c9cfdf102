import Dispatch
import SGPOSChain
import SGPOSCrypto
import SGPOSStore
import Synchronization

/// One block of a batch after decoding and signature checks.
struct DecodedBlock: Sendable {
    var height: UInt64
    var block: Block?
    var error: String?
    var badSignatureIndex: Int?
    /// Merkle root over the transaction ids, computed off the validating thread.
    var transactionRoot: Hash256?
    /// The block's expected `tx-tree` value (its chunk roots; nil for 64 transactions or fewer).
    var transactionTree: [UInt8]?
}

/// A batch being decoded and signature-checked in the background.
final class DecodedBatch: Sendable {
    private let result = Mutex<[DecodedBlock]>([])
    /// A completion signal (not a lock): the background task signals once the result is set.
    private let done = DispatchSemaphore(value: 0)

    static func start(_ raw: [(height: UInt64, bytes: [UInt8])]) -> DecodedBatch {
        let batch = DecodedBatch()
        DispatchQueue.global().async {
            let decoded = decodeAndVerify(raw)
            batch.result.withLock { $0 = decoded }
            batch.done.signal()
        }
        return batch
    }

    func wait() -> [DecodedBlock] {
        done.wait()
        done.signal()  // later waits return at once
        return result.withLock { $0 }
    }

    /// Decodes every block, then verifies every transaction signature on all cores
    /// (split by transaction, so one large block still uses every core).
    static func decodeAndVerify(_ raw: [(height: UInt64, bytes: [UInt8])]) -> [DecodedBlock] {
        guard !raw.isEmpty else { return [] }
        var items = parallelMap(raw.count) { index -> DecodedBlock in
            var item = DecodedBlock(height: raw[index].height)
            do {
                let block = try Block(encoded: try StoredCompression.decompress(raw[index].bytes, what: "block \(raw[index].height)"))
                item.block = block
                // The root from the chunk roots: the same hashing as the whole tree, and the
                // chunk roots are the block's expected `tx-tree` entry.
                let chunkRoots = MerkleTree.chunkRoots(leafHashes: block.transactionIDs.map { MerkleTree.leafHash($0.bytes) })
                item.transactionRoot = chunkRoots.isEmpty ? MerkleTree.emptyRoot : MerkleLevels(leafHashes: chunkRoots).root
                item.transactionTree = chunkRoots.count > 1 ? chunkRoots.flatMap(\.bytes) : nil
            } catch {
                item.error = "\(error)"
            }
            return item
        }
        var work: [(block: Int, transaction: Int)] = []
        for (blockIndex, item) in items.enumerated() {
            for transactionIndex in 0..<(item.block?.transactions.count ?? 0) { work.append((blockIndex, transactionIndex)) }
        }
        let decoded = items
        let allWork = work
        let chunk = 64
        let invalid = parallelMap((allWork.count + chunk - 1) / chunk) { chunkIndex -> [(block: Int, transaction: Int)] in
            allWork[(chunkIndex * chunk)..<min(allWork.count, (chunkIndex + 1) * chunk)].filter { entry in
                !decoded[entry.block].block!.transactions[entry.transaction].hasValidSignature
            }
        }
        for entry in invalid.joined() {
            items[entry.block].badSignatureIndex = min(items[entry.block].badSignatureIndex ?? Int.max, entry.transaction)
        }
        return items
    }
}
