import ArgumentParser
import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// Commands for tests and fault drills; not for operators.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Test and fault-drill helpers.", shouldDisplay: false,
        subcommands: [CrashWriter.self, FormatExampleCommand.self])

    /// Prints the worked example of docs/FORMAT.md §12.
    struct FormatExampleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "format-example", abstract: "Print FORMAT.md's worked example.")
        func run() throws { print(try FormatExample.markdown()) }
    }

    /// Appends blocks as fast as it can and prints `ack <tx id>` for each transaction
    /// once its block is durably committed. Crash tests kill it with SIGKILL at random
    /// points and check that every acknowledged transaction survived.
    struct CrashWriter: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Append register-key transactions until killed, acknowledging each.")
        @Option(help: "Node data directory.") var data: String
        @Option(help: "The outlet's node key file.") var nodeKey: String
        @Option(help: "Admin key file that signs the transactions.") var adminKey: String
        @Option(help: "Transactions per block.") var batch: Int = 8
        @Option(help: "Stop after this many blocks.") var blocksMax: Int = 1_000_000

        func run() throws {
            let store = try openStore(data)
            let writer = try OutletChainWriter(store: store, nodeKey: try KeyFile.load(nodeKey), rules: POSRules.chainRules)
            let admin = try KeyFile.load(adminKey)
            var sequence = try TransactionSigner(store: store, outletID: writer.outletID).lastSequence(admin.publicKey)
            guard batch >= 1 && batch <= Int(store.genesis.blockTransactionsMax) else { throw CLIError("--batch out of range") }
            for _ in 0..<blocksMax {
                var transactions: [SignedTransaction] = []
                for _ in 0..<batch {
                    sequence += 1
                    let till = SigningKey.generate()
                    let envelope = TransactionEnvelope(
                        chainID: store.genesis.chainID, outletID: writer.outletID, signer: admin.publicKey, sequence: sequence,
                        idempotencyID: IdempotencyID(bytes: secureRandomBytes(16))!, timestampMs: wallClockMs(),
                        body: .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: "crash-\(till.publicKey.hex.prefix(12))")))
                    transactions.append(envelope.signed(by: admin))
                }
                let outcomes = try writer.append(transactions, timestampMs: wallClockMs())
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
