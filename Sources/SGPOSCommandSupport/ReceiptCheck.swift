import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTill
import SGPOSProofs

/// Checks a receipt's QR payload against a node's data, trusting only the genesis: the
/// transaction must be in the outlet chain at the stated height (inclusion and history
/// proofs under the producer's signature) and carry the stated till signature.
public struct ReceiptCheck {
    public let store: LedgerStore
    public let genesis: Genesis

    public init(store: LedgerStore, genesis: Genesis) {
        self.store = store
        self.genesis = genesis
    }

    public func check(_ payload: ReceiptQRPayload) throws -> String {
        guard payload.chainID == genesis.chainID else {
            throw CLIError("the receipt is for chain \(payload.chainID), the genesis is \(genesis.chainID)")
        }
        guard let location = try store.environment.read({ try store.location(of: payload.transactionID, $0) }) else {
            throw CLIError("transaction \(payload.transactionID) is not in this node's data")
        }
        guard location.outletID == payload.outlet, location.height == payload.height else {
            throw CLIError("the receipt says outlet \(payload.outlet) height \(payload.height); the ledger has it at outlet \(location.outletID) height \(location.height)")
        }
        let proof = try ProofBuilder(store: store).transactionProof(payload.transactionID)
        let facts: ProofVerifier.TransactionFacts
        do {
            facts = try ProofVerifier(genesis: genesis).verify(proof)
        } catch {
            throw CLIError("the node's proof does not verify: \(error)")
        }
        guard let bytes = Hex.decode(proof.transaction) else { throw CLIError("the proof's transaction is not hex") }
        let transaction = try SignedTransaction(encoded: bytes)
        guard transaction.signature == payload.signature else {
            throw CLIError("the receipt's signature differs from the signed transaction in the ledger")
        }
        var what = "transaction"
        if case .application(let type, let payloadBytes) = transaction.envelope.body,
            let body = try? POSBody.decode(type: type, payload: payloadBytes) {
            switch body {
            case .sale(let sale): what = "sale, receipt \(sale.receiptNumber) of \(money(sale.total))"
            case .refund(let refund): what = "refund, credit note \(refund.creditNoteNumber) of \(money(refund.amount))"
            default: what = POSBodyType.name(type)
            }
        }
        return "genuine: \(what) at outlet \(facts.outletID) height \(facts.height), signed by the till and sealed by the outlet's node; covered by head \(facts.headHeight)"
    }
}

