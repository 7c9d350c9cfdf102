import SGPOSChain

extension LedgerStore {
    /// Whether `submitted`, answered as a duplicate of the transaction at `first` (its
    /// idempotency id was committed there), is a different transaction under the same id —
    /// another signer or another body — rather than a retry. A retry that re-signed the
    /// same body (a new time, the next sequence) is not a conflict; the same bytes never are.
    public func isConflict(_ submitted: SignedTransaction, first: TransactionLocation) throws -> Bool {
        guard submitted.id != first.transactionID else { return false }
        let original = try environment.read { transaction -> SignedTransaction? in
            guard let block = try block(first.outletID, height: first.height, transaction),
                Int(first.index) < block.transactions.count
            else { return nil }
            return block.transactions[Int(first.index)]
        }
        guard let original else { throw StoreError.corrupt("the transaction at \(first) is missing") }
        return original.envelope.signer != submitted.envelope.signer || original.envelope.body != submitted.envelope.body
    }
}
