import ArgumentParser
import CLibCrypto
import CSodium
import Dispatch
import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCrypto
import SGPOSStore

/// `sgpos bench`: throughput and latency measured against the limits that bound them,
/// on this machine, in the same run (benchmarks/RESULTS.md records the results).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure durable append, audit verify and hashing against libsodium's Ed25519 verify rate.")

    @Option(help: "Transactions in the throughput runs.") var transactions: Int = 40_000
    @Option(help: "Transactions per block in the throughput run.") var blockSize: Int = 1_000
    @Option(help: "Single-transaction appends timed for latency.") var latencySamples: Int = 500
    @Option(help: "Scratch directory (a fresh subdirectory is used and removed).") var dir: String = NSTemporaryDirectory()

    func run() throws {
        #if DEBUG
        print("warning: debug build; run `make bench` (release) for meaningful numbers")
        #endif
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("machine: \(cores) cores; durable LMDB commits (fsync) in \(dir)")
        let verifyOne = measureVerify(threads: 1)
        let verifyAll = measureVerify(threads: cores)
        print(String(format: "ed25519 verify, libsodium, 1 core:      %9.0f /s", verifyOne))
        print(String(format: "ed25519 verify, libsodium, %d cores:     %9.0f /s", cores, verifyAll))

        let scratch = dir + "/sgpos-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fixture = try BenchFixture(directory: scratch, transactions: transactions)
        let appendRate = try fixture.appendThroughput(blockSize: blockSize)
        print(String(format: "durable append (verify+apply+commit), %d tx/block: %9.0f tx/s = %.2f of 1-core verify/s (target >= 0.80)",
                     blockSize, appendRate, appendRate / verifyOne))
        let latency = try fixture.appendLatency(samples: latencySamples)
        print(String(format: "durable append latency, 1 tx/block: p50 %.3f ms, p99 %.3f ms (%d samples)",
                     latency.p50, latency.p99, latencySamples))
        let auditRate = try fixture.auditThroughput()
        print(String(format: "audit verify: %9.0f tx/s = %.2f of %d-core verify/s (target >= 0.80)", auditRate, auditRate / verifyAll, cores))
        for size in [64, 256, 4_096] {
            let openssl = measureHash(size: size) { input, output in _ = SHA256(input, size, output) }
            let sodium = measureHash(size: size) { input, output in _ = crypto_hash_sha256(output, input, UInt64(size)) }
            print(String(format: "sha256 %5d B: openssl %8.0f MB/s, libsodium %8.0f MB/s (openssl/libsodium %.2fx)",
                         size, openssl, sodium, openssl / sodium))
        }
    }

    /// Ed25519 verifications per second over `threads` threads (distinct signatures).
    func measureVerify(threads: Int) -> Double {
        let key = SigningKey.generate()
        let messages = (0..<256).map { index in Array("bench message \(index) with some bytes of padding for size".utf8) }
        let signatures = messages.map { key.sign($0) }
        let perThread = 6_000
        let started = DispatchTime.now()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var valid = 0
            for index in 0..<perThread where key.publicKey.isValidSignature(signatures[index & 255], for: messages[index & 255]) {
                valid += 1
            }
            precondition(valid == perThread, "a benchmark signature failed to verify")
        }
        return Double(perThread * threads) / seconds(since: started)
    }

    func measureHash(size: Int, _ hash: (UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>) -> Void) -> Double {
        let input = [UInt8](repeating: 0x5a, count: size)
        var output = [UInt8](repeating: 0, count: 32)
        let iterations = max(1_000, 64_000_000 / size)
        let started = DispatchTime.now()
        input.withUnsafeBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                for _ in 0..<iterations { hash(inputBuffer.baseAddress!, outputBuffer.baseAddress!) }
            }
        }
        return Double(size * iterations) / seconds(since: started) / 1e6
    }
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// A durable store with pre-signed register-key transactions ready to append.
struct BenchFixture {
    let directory: String
    let store: LedgerStore
    let writer: OutletChainWriter
    let admin: SigningKey
    let prepared: [SignedTransaction]
    private let genesis: Genesis

    init(directory: String, transactions: Int) throws {
        self.directory = directory
        let admin = SigningKey.generate()
        let node = SigningKey.generate()
        genesis = try Genesis(
            chainID: ChainID("sgpos-bench")!, genesisTimeMs: 0, blockTransactionsMax: 8_190, keyRotationOverlapMsMax: 0,
            gstPricesIncludeTax: true, gstMethod: .perInvoice, gstRates: [], admins: [.init(name: "admin", publicKey: admin.publicKey)],
            outlets: [.init(id: 1, name: "bench", nodeKey: node.publicKey)], validators: [])
        store = try LedgerStore.create(dataDirectory: directory, genesis: genesis)
        writer = try OutletChainWriter(store: store, nodeKey: node)
        self.admin = admin
        let chainID = genesis.chainID
        prepared = (0..<transactions).map { index in
            TransactionEnvelope(
                chainID: chainID, outletID: 1, signer: admin.publicKey, sequence: UInt64(index + 1),
                idempotencyID: IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: 0,
                body: .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .till, principal: "till-\(index)"))
            ).signed(by: admin)
        }
    }

    func appendThroughput(blockSize: Int) throws -> Double {
        let started = DispatchTime.now()
        var start = 0
        while start < prepared.count {
            let end = min(start + blockSize, prepared.count)
            let outcomes = try writer.append(Array(prepared[start..<end]), timestampMs: 1)
            precondition(outcomes.allSatisfy { if case .committed = $0 { true } else { false } }, "bench append rejected a transaction")
            start = end
        }
        return Double(prepared.count) / seconds(since: started)
    }

    func appendLatency(samples: Int) throws -> (p50: Double, p99: Double) {
        var sequence = UInt64(prepared.count)
        var latencies: [Double] = []
        for index in 0..<samples {
            sequence += 1
            let transaction = TransactionEnvelope(
                chainID: genesis.chainID, outletID: 1, signer: admin.publicKey, sequence: sequence,
                idempotencyID: IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: 0,
                body: .registerKey(RegisterKey(key: SigningKey.generate().publicKey, role: .till, principal: "latency-\(index)"))
            ).signed(by: admin)
            let started = DispatchTime.now()
            _ = try writer.append([transaction], timestampMs: 2)
            latencies.append(seconds(since: started) * 1e3)
        }
        latencies.sort()
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    func auditThroughput() throws -> Double {
        let started = DispatchTime.now()
        let report = try AuditVerifier().verify(store: store, trustedGenesis: genesis)
        let elapsed = seconds(since: started)
        precondition(report.isValid, "bench store failed its audit: \(report.findings)")
        return Double(report.transactionCount) / elapsed
    }
}
