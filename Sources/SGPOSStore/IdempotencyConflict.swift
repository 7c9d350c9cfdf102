import SGPOSChain

extension LedgerStore {
    /// Whether `submitted`, answered as a duplicate of the transaction at `first` (its
    /// idempotency id was committed there), is a different transaction under the same id —
    /// another signer or another body — rather than a retry. A retry that re-signed the
    /// same body (a new time, the next sequence) is not a conflict; the same bytes never are.
    public func isConflict(_ submitted: SignedTransaction, first: TransactionLocation) throws -> Bool {
        guard submitted.id != first.transactionID else { return false }
        let original = try environment.read { try transaction(at: first, $0) }
        guard let original else { throw StoreError.corrupt("the transaction at \(first) is missing") }
        return original.envelope.signer != submitted.envelope.signer || original.envelope.body != submitted.envelope.body
    }
}
