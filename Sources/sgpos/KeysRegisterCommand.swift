import ArgumentParser
import Foundation
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCommandSupport
import SGPOSCrypto

/// `sgpos keys register`: pairs a key made elsewhere — a browser till's (docs/WEB.md,
/// "Pairing"), a new manager's — with the outlet of a running node: a register-key
/// transaction signed by a manager (operator) or admin key file, submitted over HTTP.
struct KeysRegister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a public key (a browser till's, say) at a running node's outlet, signed by a manager or admin key.",
        discussion: """
            A manager (operator) registers tills of its own outlet; an admin registers operators, tills and auditors. \
            The transaction's sequence is the current time in microseconds (greater than any sequence the key used before), \
            so the signing key may also be used by other tools.
            """)
    @Option(help: "The node's API, e.g. http://127.0.0.1:8080 or https://…") var node: String
    @Option(help: "PEM certificate to trust for an https node (its api-ca.pem).") var ca: String?
    @Option(help: "Key file of the manager or admin who signs.") var key: String
    @Option(name: .customLong("public-key"), help: "The key to register: 64 hex digits (shown by the web till).") var publicKey: String
    @Option(help: "till, operator or auditor.") var role: String = "till"
    @Option(help: "Its name at the outlet, e.g. till-web-01 (1–64 printable characters).") var principal: String

    func run() async throws {
        guard let registered = PublicKey(hex: publicKey.lowercased()) else { throw ValidationError("--public-key must be 64 hex digits") }
        guard let keyRole = KeyRole(name: role), [.till, .operator, .auditor].contains(keyRole) else {
            throw ValidationError("--role must be till, operator or auditor")
        }
        let signer = try KeyFile.load(key)
        let client = try nodeClient(node, ca: ca)
        let health = try await client.health()
        guard let chainID = ChainID(health.chainId) else { throw CLIError("the node's chain id \(health.chainId) is not a chain id") }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        var envelope = EnvelopeSigner(chainID: chainID, outlet: health.outletId, key: signer, lastSequence: now * 1000 - 1)
        let transaction = envelope.sign(.registerKey(RegisterKey(key: registered, role: keyRole, principal: principal)), atMs: Int64(now))
        do {
            let result = try await client.submit(transaction)
            print("registered \(keyRole) \(principal) (key \(registered.hex)) at outlet \(result.outletId), block \(result.height)")
        } catch let error as NodeClient.Failure {
            throw CLIError("the node refused the registration: \(error)")
        }
    }
}
