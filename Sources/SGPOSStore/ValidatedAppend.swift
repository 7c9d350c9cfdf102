import SGPOSChain

extension LedgerStore {
    /// Validates `block` as the next block of its outlet's chain — against the head and
    /// the state in `transaction` — and stores it with its indexes and state writes: how
    /// a replica's block, or a block imported from audit files, joins a store. Throws the
    /// validator's ``BlockRejection`` (nothing stored) when a rule fails.
    /// `transactionSignaturesChecked`: the caller has verified every transaction signature
    /// of the block (on all cores, ahead of the ordered apply) and found each valid.
    /// `storedBlock`: the block's stored form, compressed ahead of the write.
    @discardableResult
    public func appendValidated(_ block: Block, validator: BlockValidator, networkSources: Set<StateTable>,
                                transactionSignaturesChecked: Bool = false, storedBlock: [UInt8]? = nil,
                                _ transaction: LMDBTransaction) throws -> ChainHead {
        let head = try head(block.header.outletID, transaction)
        let outcome = try validator.validate(block, head: head, state: stateReader(block.header.outletID, transaction),
                                             transactionSignaturesChecked: transactionSignaturesChecked)
        try commit(block, writes: outcome.writes, networkSources: networkSources, previous: head, storedBlock: storedBlock, transaction)
        return outcome.head
    }
}
