import SGPOSChain

/// The ledger rejection `body` throws, or nil when it throws none (or another error).
func refusal(_ body: () throws -> Void) -> LedgerRejection? {
    do {
        try body()
        return nil
    } catch let rejection as LedgerRejection {
        return rejection
    } catch {
        return nil
    }
}
