import Dispatch
import SGPOSChain
import SGPOSCrypto
import SGPOSStore

/// The audit's ceiling on a scale set (issue 17): the set's own transaction signatures
/// (their signers' keys, the very bytes they signed) verified and nothing
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

    /// Samples about `limit` of the set's `transactions`: every `stride`-th transaction of
    /// every block of every outlet's chain, so each body type is there in its proportion.
    init(store: LedgerStore, transactions: Int, limit: Int = 40_000) throws {
        precondition(limit > 0 && transactions > 0, "a sample needs transactions")
        let stride = max(1, transactions / limit)
        var checks: [Check] = []
        checks.reserveCapacity(transactions / stride + 1)
        var seen = 0
        for outlet in store.genesis.outlets.map(\.id) {
            let height = try store.environment.read { try store.head(outlet, $0).height }
            var at: UInt64 = 1
            while at <= height {
                // One read transaction per 64 blocks: a long chain is not held in one snapshot.
                try store.environment.read { transaction in
                    let last = min(height, at + 63)
                    while at <= last {
                        guard let block = try store.block(outlet, height: at, transaction) else { throw BenchError("outlet \(outlet) has no block \(at) below its head \(height)") }
                        for signed in block.transactions {
                            defer { seen += 1 }
                            guard seen % stride == 0 else { continue }
                            let unsigned = signed.encoded.count - Signature.byteCount
                            checks.append(Check(key: signed.envelope.signer, signature: signed.signature,
                                                message: DomainTag.transactionSignature.prefix + signed.encoded[0..<unsigned]))
                        }
                        at += 1
                    }
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
