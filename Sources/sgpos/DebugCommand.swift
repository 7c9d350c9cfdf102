import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSDemo
import SGPOSChain
import SGPOSOperations
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTill

/// Commands for tests and fault drills; not for operators.
struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Test and fault-drill helpers.", shouldDisplay: false,
        subcommands: [CrashWriter.self, FormatExampleCommand.self, POSReplay.self, FuzzSeeds.self])

    /// Prints the worked example of docs/FORMAT.md §12.
    struct FormatExampleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "format-example", abstract: "Print FORMAT.md's worked example.")
        func run() throws { print(try FormatExample.markdown()) }
    }

    /// Appends blocks as fast as it can and prints `ack <tx id>` for each transaction
    /// once its block is durably committed. Crash tests kill it with SIGKILL at random
    /// points and check that every acknowledged transaction survived.
    struct CrashWriter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append signed 3-line sales (or register-key transactions) until killed, acknowledging each.")
        @Option(help: "Node data directory.") var data: String
        @Option(help: "The outlet's node key file.") var nodeKey: String
        @Option(help: "Admin key file that signs the transactions.") var adminKey: String
        @Option(help: "Transactions per block.") var batch: Int = 8
        @Option(help: "Stop after this many blocks.") var blocksMax: Int = 1_000_000
        @Flag(help: "Append register-key transactions instead of sales.") var registry = false

        func run() async throws {
            let (store, committer, outletID) = try openCommitter(data: data, nodeKey: nodeKey)
            let admin = try KeyFile.load(adminKey)
            var sequence = try TransactionSigner(store: store, outletID: outletID).lastSequence(admin.publicKey)
            guard batch >= 1 && batch <= Int(store.genesis.blockTransactionsMax) else { throw CLIError("--batch out of range") }
            if !registry {
                var sales = try await CrashSales(store: store, committer: committer, outletID: outletID, admin: admin, data: data)
                for _ in 0..<blocksMax { try await sales.appendBlock(batch: batch) }
                return
            }
            for _ in 0..<blocksMax {
                var transactions: [SignedTransaction] = []
                for _ in 0..<batch {
                    sequence += 1
                    let till = SigningKey.generate()
                    let envelope = TransactionEnvelope(
                        chainID: store.genesis.chainID, outletID: outletID, signer: admin.publicKey, sequence: sequence,
                        idempotencyID: IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: wallClockMs(),
                        body: .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: "crash-\(till.publicKey.hex.prefix(12))")))
                    transactions.append(envelope.signed(by: admin))
                }
                let outcomes = try await committer.submitAll(transactions)
                var lines = ""
                for outcome in outcomes {
                    guard case .committed(let location) = outcome else { throw CLIError("unexpected outcome \(outcome)") }
                    lines += "ack \(location.transactionID.hex) \(location.height)\n"
                }
                FileHandle.standardOutput.write(Data(lines.utf8))
            }
        }
    }
}

/// The crash writer's shop: a till and a manager (keys kept in the data directory so a
/// restarted writer carries on), a price list and an open shift, then sales.
struct CrashSales {
    let store: LedgerStore
    let committer: GroupCommitter
    let outletID: OutletID
    var till: TillSession
    var counter = 0

    init(store: LedgerStore, committer: GroupCommitter, outletID: OutletID, admin: SigningKey, data: String) async throws {
        self.store = store
        self.committer = committer
        self.outletID = outletID
        let tillKey = try CrashSales.key(data + "/crash-till.key")
        let managerKey = try CrashSales.key(data + "/crash-manager.key")
        let outlet = outletID
        let genesis = store.genesis
        func state<T>(_ body: (StoredState) throws -> T) throws -> T {
            try store.environment.read { try body(store.stateReader(outlet, $0)) }
        }
        let now = Int64(wallClockMs())
        if try state({ try $0.read(.key(tillKey.publicKey)) }) == nil {
            var adminSession = try state { try TillSession.resume(genesis: genesis, outlet: outlet, key: admin, state: $0) }
            let setup = [
                adminSession.signChain(.registerKey(RegisterKey(key: tillKey.publicKey, role: .till, principal: "crash-till")), atMs: now),
                adminSession.signChain(.registerKey(RegisterKey(key: managerKey.publicKey, role: .operator, principal: "crash-manager")), atMs: now),
            ]
            _ = try await committer.submitAll(setup)
        }
        if try state({ try $0.priceRecord(outlet: outlet, sku: "CRASH-0") }) == nil {
            var manager = try state { try TillSession.resume(genesis: genesis, outlet: outlet, key: managerKey, state: $0) }
            let prices = (0..<10).map { PriceEntry(sku: "CRASH-\($0)", category: "drill", unitPrice: 100 + Int64($0) * 55) }
            _ = try await committer.submit(manager.sign(.setPrices(SetPrices(entries: prices)), atMs: now))
        }
        till = try state { try TillSession.resume(genesis: genesis, outlet: outlet, key: tillKey, state: $0) }
        if try state({ try $0.shift(outlet: outlet, till: "crash-till")?.open }) != true {
            _ = try await committer.submit(till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: now))
        }
    }

    /// A key file in the data directory, created on first use.
    static func key(_ path: String) throws -> SigningKey {
        if FileManager.default.fileExists(atPath: path) { return try KeyFile.load(path) }
        let key = SigningKey.generate()
        try KeyFile(label: "crash drill", key: key).write(to: path)
        return key
    }

    mutating func appendBlock(batch: Int) async throws {
        let built = try buildBlock(store: store, outletID: outletID, count: batch) { state in
            counter += 1
            let lines = (0..<3).map { StockLine(sku: "CRASH-\((counter + $0 * 3) % 10)", quantity: 1 + Int64($0)) }
            let now = Int64(wallClockMs())
            let payment: Payment = counter % 2 == 0 ? .cash(tendered: nil)
                : .card(terminalID: "T1", approvalCode: "A1", rrn: "R1", maskedPAN: "************0001", scheme: "visa")
            return till.sign(.sale(try till.buildSale(lines, payment: payment, atMs: now, state: state)), atMs: now)
        }
        guard !built.isEmpty else { return }
        let outcomes = try await committer.submitAll(built)
        var text = ""
        for outcome in outcomes {
            guard case .committed(let location) = outcome else { throw CLIError("unexpected outcome \(outcome)") }
            text += "ack \(location.transactionID.hex) \(location.height)\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
