import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// Typed reads of the POS tables from any state (LMDB, overlay, memory).
extension StateReader {
    func record<Record: CanonicalDecodable>(_ type: Record.Type, _ key: StateKey) throws -> Record? {
        try decoded(type, key)
    }

    /// The retail settings in force (defaults until an admin sets them).
    public func retailSettings() throws -> RetailSettings {
        try decoded(RetailSettings.self, .retailSettings) ?? .defaults
    }

    public func priceRecord(outlet: UInt32, sku: String) throws -> PriceRecord? {
        try record(PriceRecord.self, .price(outlet: outlet, sku: sku))
    }

    public func stockOnHand(outlet: UInt32, sku: String) throws -> Int64 {
        try record(StockRecord.self, .stock(outlet: outlet, sku: sku))?.onHand ?? 0
    }

    public func memberAccount(_ id: String) throws -> MemberAccount? { try record(MemberAccount.self, .member(id)) }

    public func shift(outlet: UInt32, till: String) throws -> ShiftRecord? {
        try record(ShiftRecord.self, .shift(outlet: outlet, till: till))
    }

    public func outletBooks(_ outlet: UInt32) throws -> OutletBooks {
        try record(OutletBooks.self, .books(outlet: outlet)) ?? OutletBooks()
    }

    public func saleRecord(_ id: Hash256) throws -> SaleRecord? { try record(SaleRecord.self, .sale(id)) }
}

extension StateOverlay {
    mutating func store(_ value: some CanonicalEncodable, at key: StateKey) { put(key, value.canonicalBytes) }
}

/// A rejection with a stable reason and a message naming what was wrong.
func reject(_ reason: LedgerRejection.Reason, _ detail: String) -> LedgerRejection { LedgerRejection(reason, detail) }

/// Money for messages: `12.30`.
func cents(_ value: Int64) -> String {
    let magnitude = value.magnitude
    let fraction = magnitude % 100
    return (value < 0 ? "-" : "") + "\(magnitude / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
}
