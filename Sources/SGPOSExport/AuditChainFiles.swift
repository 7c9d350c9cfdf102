import Foundation
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSState
import SGPOSStore

/// The chain files of an audit export (docs/EXPORT.md, "Chain files"): `chain/outlet-N.blocks`
/// holds outlet N's blocks from height 1 in order, `chain/checkpoints.certs` the final
/// checkpoints' commit certificates in height order. Each is a sequence of records: a u32
/// big-endian length, then that many bytes — a block's canonical encoding (docs/FORMAT.md)
/// or a commit certificate's (docs/CONSENSUS.md).
public enum AuditChainFiles {
    public static func blocksFile(_ outlet: OutletID) -> String { "chain/outlet-\(outlet).blocks" }
    public static let checkpointsFile = "chain/checkpoints.certs"

    /// The longest record a reader accepts: a block of the genesis's most transactions, each
    /// of the longest size, and its header (so a damaged length cannot make it allocate more).
    static func recordBytesMax(_ genesis: Genesis) -> Int {
        4_096 + Int(genesis.blockTransactionsMax) * (Limits.transactionBytesMax + 8)
    }

    /// Appends one record to `writer`.
    static func frame(_ bytes: [UInt8]) -> [UInt8] {
        let length = UInt32(bytes.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + bytes
    }

    /// Calls `body` with each record of the file at `path`, in order, and its number (from 1).
    static func records(_ path: String, bytesMax: Int, _ body: (Int, [UInt8]) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ExportError(.auditFiles, "\(path) cannot be read") }
        defer { try? handle.close() }
        var number = 0
        while true {
            let header = try handle.read(upToCount: 4) ?? Data()
            if header.isEmpty { return }
            number += 1
            guard header.count == 4 else { throw ExportError(.auditFiles, "\(path): record \(number) is cut short") }
            let length = header.reduce(0) { $0 << 8 | Int($1) }
            guard length <= bytesMax else {
                throw ExportError(.auditFiles, "\(path): record \(number) claims \(length) bytes, more than the \(bytesMax) a block may take")
            }
            let bytes = try handle.read(upToCount: length) ?? Data()
            guard bytes.count == length else { throw ExportError(.auditFiles, "\(path): record \(number) is cut short") }
            try body(number, [UInt8](bytes))
        }
    }

    /// Builds a new store in `dataDirectory` from `genesis` and the chain files in
    /// `directory`: every block validated by the chain's rules as a replica's would be
    /// (signatures, links, roots, the POS rules), then the checkpoint certificates stored as
    /// they are (``AuditVerifier`` checks them). Throws at the first block refused.
    /// `imported`, when given, is called with the blocks imported so far after each write.
    public static func importChains(from directory: String, genesis: Genesis, into dataDirectory: String,
                                    imported: ((UInt64) -> Void)? = nil) throws -> LedgerStore {
        var count: UInt64 = 0
        let store = try LedgerStore.create(dataDirectory: dataDirectory, genesis: genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        let validator = BlockValidator(genesis: genesis, rules: POSRules.chainRules)
        let networkSources = POSRules.chainRules.networkSourceTables
        for outlet in genesis.outlets.map(\.id) {
            let path = directory + "/" + blocksFile(outlet)
            var pending: [(Int, Block)] = []
            func flush() throws {
                try store.environment.write { transaction in
                    for (number, block) in pending {
                        guard block.header.outletID == outlet, block.header.height == UInt64(number) else {
                            throw ExportError(.auditFiles, "\(blocksFile(outlet)) record \(number) is block \(block.header.height) of outlet \(block.header.outletID), not block \(number) of outlet \(outlet)")
                        }
                        do {
                            try store.appendValidated(block, validator: validator, networkSources: networkSources, transaction)
                        } catch {
                            throw ExportError(.auditFiles, "\(blocksFile(outlet)) block \(number) is refused: \(error)")
                        }
                    }
                }
                count += UInt64(pending.count)
                imported?(count)
                pending.removeAll(keepingCapacity: true)
            }
            try records(path, bytesMax: recordBytesMax(genesis)) { number, bytes in
                do {
                    pending.append((number, try Block(encoded: bytes)))
                } catch {
                    throw ExportError(.auditFiles, "\(blocksFile(outlet)) record \(number) is not a block: \(error)")
                }
                if pending.count == 256 { try flush() }
            }
            if !pending.isEmpty { try flush() }
        }
        let storage = try ConsensusStorage(environment: store.environment)
        try records(directory + "/" + checkpointsFile, bytesMax: recordBytesMax(genesis)) { number, bytes in
            do {
                try storage.store(try CommitCertificate(canonicalBytes: bytes))
            } catch {
                throw ExportError(.auditFiles, "\(checkpointsFile) record \(number) is not a commit certificate: \(error)")
            }
        }
        return store
    }
}
