import ArgumentParser
import SGPOSCommandSupport
import SGPOSTill

extension AuditCommand {
    struct CheckReceipt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-receipt",
            abstract: "Check a receipt's QR payload against a node's data and a trusted genesis.",
            discussion: "Exit 0 if the receipt's transaction is in the chain with that signature; 1 otherwise.")
        @Argument(help: "The QR payload: sgpos:1/<chain>/<outlet>/<height>/<tx id>/<signature>.") var payload: String
        @Option(help: "Node data directory.") var data: String
        @Option(help: "Trusted genesis file.") var genesis: String

        func run() throws {
            guard let parsed = ReceiptQRPayload(text: payload) else {
                throw CLIError("not a receipt payload: expected sgpos:1/<chain>/<outlet>/<height>/<64 hex>/<128 hex>")
            }
            do {
                print("OK " + (try ReceiptCheck(store: try openStore(data), genesis: try loadGenesis(genesis)).check(parsed)))
            } catch let error as CLIError {
                print("NOT GENUINE: \(error)")
                throw ExitCode(1)
            }
        }
    }
}
