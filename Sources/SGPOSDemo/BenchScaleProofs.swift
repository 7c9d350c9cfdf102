import Dispatch
import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore
import SGPOSState

/// Issue 17 item 6 on the scale set: opening the store, and the proofs a node serves
/// (`GET /v1/transactions/{id}/proof` builds exactly ``ProofBuilder/transactionProof(_:cache:)``
/// without a cache, then encodes it as JSON), each timed one by one.
struct ScaleProofBench {
    /// Proofs timed per kind and round.
    static let proofsPerRound = 2_000
    static let rounds = 3

    let data: String

    func run() throws {
        // Opening: LedgerStore.open (format, genesis, every chain's head block checked), as a node does first.
        var opens: [Double] = []
        for _ in 0..<Self.rounds {
            let started = DispatchTime.now()
            let store = try LedgerStore.open(dataDirectory: data, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
            _ = try store.environment.read { transaction in try store.genesis.outlets.map { try store.head($0.id, transaction) } }
            opens.append(seconds(since: started))
        }
        print(String(format: "  store open (format, genesis, every head checked): median %.3f s of %d (limit 1 s)",
                     opens.sorted()[opens.count / 2], opens.count))

        let store = try LedgerStore.open(dataDirectory: data, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        let builder = ProofBuilder(store: store)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var generator = SystemRandomNumberGenerator()
        let index = try store.database(named: "tx-index")
        var inclusionP99: [Double] = [], inclusionP50: [Double] = []
        var consistencyP99: [Double] = [], consistencyP50: [Double] = []
        for _ in 0..<Self.rounds {
            // Transactions picked uniformly: the tx-index key after a random 32 bytes.
            let ids: [Hash256] = try store.environment.read { transaction in
                try (0..<Self.proofsPerRound).map { _ in
                    var found: Hash256?
                    let start = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    try transaction.scan(index, from: start, limit: 1) { key, _ in
                        found = Hash256(bytes: key)
                        return false
                    }
                    if found == nil { try transaction.scan(index, limit: 1) { key, _ in found = Hash256(bytes: key); return false } }
                    guard let found else { throw BenchError("the data set holds no transactions") }
                    return found
                }
            }
            var times: [Double] = []
            for id in ids {
                let started = DispatchTime.now()
                let proof = try builder.transactionProof(id)
                _ = try encoder.encode(proof)
                times.append(seconds(since: started))
            }
            times.sort()
            inclusionP50.append(times[times.count / 2])
            inclusionP99.append(times[times.count * 99 / 100])

            let heads = try store.environment.read { transaction in try store.genesis.outlets.map { try store.head($0.id, transaction) } }
                .filter { $0.height >= 2 }
            guard !heads.isEmpty else { throw BenchError("no chain of the data set has two blocks to prove consistency between") }
            times = []
            for _ in 0..<Self.proofsPerRound {
                let head = heads.randomElement(using: &generator)!
                let from = UInt64.random(in: 1..<head.height, using: &generator)
                let started = DispatchTime.now()
                let proof = try builder.consistencyProof(outletID: head.outletID, from: from, to: nil)
                _ = try encoder.encode(proof)
                times.append(seconds(since: started))
            }
            times.sort()
            consistencyP50.append(times[times.count / 2])
            consistencyP99.append(times[times.count * 99 / 100])
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] * 1_000 }
        print(String(format: "  inclusion proof of a random transaction, built and encoded: p50 %.3f ms, p99 %.3f ms (limit 1 ms; median of %d rounds of %d)",
                     median(inclusionP50), median(inclusionP99), Self.rounds, Self.proofsPerRound))
        print(String(format: "  consistency proof from a random height to the head: p50 %.3f ms, p99 %.3f ms (limit 1 ms; median of %d rounds of %d)",
                     median(consistencyP50), median(consistencyP99), Self.rounds, Self.proofsPerRound))
    }
}
