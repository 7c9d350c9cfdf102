import Dispatch
import SGPOSChain
import SGPOSCrypto
import SGPOSStore

/// The audit's ceiling on a scale set (issue 17): the set's own transaction signatures
/// (their signers' keys, their messages of several hundred bytes) verified and nothing
/// else, on `threads` threads. An audit verifies every one of these and re-executes and
/// indexes besides, so its rate cannot pass this one; set against the synthetic all-core
/// verify rate it says how much of the 0.90 goal signatures alone allow.
struct OwnSignatureCeiling {
    /// One signature to check: the signer's key, the signed bytes (domain tag included).
    private struct Check {
        let key: PublicKey
        let signature: Signature
        let message: [UInt8]
    }

    private let checks: [Check]

    /// Samples up to `limit` transactions: whole blocks at evenly spaced heights of every
    /// outlet's chain, so every body type in its proportion is there.
    init(store: LedgerStore, limit: Int = 40_000) throws {
        precondition(limit > 0, "a sample needs at least one transaction")
        var checks: [Check] = []
        let outlets = store.genesis.outlets.map(\.id)
        let perOutlet = max(1, limit / max(1, outlets.count))
        try store.environment.read { transaction in
            for outlet in outlets {
                let height = try store.head(outlet, transaction).height
                guard height > 0 else { continue }
                let first = try store.block(outlet, height: 1, transaction)?.transactions.count ?? 1
                let blocksWanted = max(1, perOutlet / max(1, first))
                let step = max(1, height / UInt64(blocksWanted))
                var taken = 0
                var at: UInt64 = 1
                while at <= height, taken < perOutlet {
                    guard let block = try store.block(outlet, height: at, transaction) else { break }
                    for signed in block.transactions.prefix(perOutlet - taken) {
                        let unsigned = signed.encoded.count - Signature.byteCount
                        checks.append(Check(key: signed.envelope.signer, signature: signed.signature,
                                            message: DomainTag.transactionSignature.prefix + signed.encoded[0..<unsigned]))
                    }
                    taken += min(block.transactions.count, perOutlet - taken)
                    at += step
                }
            }
        }
        self.checks = checks
    }

    /// Transactions sampled.
    var count: Int { checks.count }

    /// Mean bytes each signature covers (domain tag included).
    var meanMessageBytes: Int { checks.isEmpty ? 0 : checks.reduce(0) { $0 + $1.message.count } / checks.count }

    /// Verifications per second on `threads` threads: best of three passes over the sample
    /// (as the synthetic rate is), after one warm-up pass.
    func rate(threads: Int) -> Double {
        precondition(threads >= 1 && !checks.isEmpty, "a rate needs a thread and a sample")
        _ = pass(threads: threads)
        return (0..<3).map { _ in pass(threads: threads) }.max()!
    }

    private func pass(threads: Int) -> Double {
        let chunk = (checks.count + threads - 1) / threads
        let started = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let range = (thread * chunk)..<min(checks.count, (thread + 1) * chunk)
            for index in range {
                precondition(checks[index].key.isValidSignature(checks[index].signature, for: checks[index].message),
                             "a signature of the scale set failed to verify")
            }
        }
        return Double(checks.count) / seconds(since: started)
    }
}
