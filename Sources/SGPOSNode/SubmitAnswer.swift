import SGPOSClient
import SGPOSOperations
import SGPOSProofs

extension API.SubmitResponse {
    /// The answer to `POST /v1/transactions` as JSON: the same text `JSONEncoder` with
    /// `.sortedKeys` writes (SubmitAnswerTests compares them), written by ``JSONText``
    /// because this answer is built once per transaction.
    func jsonBytes() -> [UInt8] {
        var text = JSONText(capacity: 2_048 + proof.transaction.utf8.count)
        text.openObject()
        text.key("height"); text.number(height)
        text.key("index"); text.number(UInt64(index))
        text.key("outletId"); text.number(UInt64(outletId))
        text.key("proof"); proof.write(to: &text)
        text.key("status"); text.string(status)
        text.key("transactionId"); text.string(transactionId)
        text.closeObject()
        return text.bytes
    }
}

extension TransactionProof {
    /// Writes the proof as `JSONEncoder` with `.sortedKeys` would (no `head` member when nil).
    func write(to text: inout JSONText) {
        text.openObject()
        text.key("block"); block.write(to: &text)
        text.key("chainId"); text.string(chainId)
        text.key("format"); text.string(format)
        text.key("genesisId"); text.string(genesisId)
        if let head {
            text.key("head"); head.write(to: &text)
        }
        text.key("historyPath"); text.strings(historyPath)
        text.key("inclusionPath"); text.strings(inclusionPath)
        text.key("leafIndex"); text.number(leafIndex)
        text.key("transaction"); text.string(transaction)
        text.key("transactionId"); text.string(transactionId)
        text.closeObject()
    }
}

extension SignedHeaderJSON {
    func write(to text: inout JSONText) {
        text.openObject()
        text.key("header"); text.string(header)
        text.key("signature"); text.string(signature)
        text.closeObject()
    }
}
