import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// State keys of the POS tables (docs/FORMAT.md §13.3).
extension StateKey {
    /// u32 outlet (big-endian) ‖ the text's UTF-8, built in one allocation: the state
    /// machine makes several of these per sale line.
    static func outletPrefixed(_ table: StateTable, _ outlet: UInt32, _ text: String) -> StateKey {
        var text = text
        return text.withUTF8 { utf8 in
            var encoder = CanonicalEncoder(capacity: 4 + utf8.count)
            encoder.writeU32(outlet)
            encoder.writeFixed(utf8, count: utf8.count)
            return StateKey(table, encoder.bytes)
        }
    }

    public static func price(outlet: UInt32, sku: String) -> StateKey { outletPrefixed(.prices, outlet, sku) }
    public static func stock(outlet: UInt32, sku: String) -> StateKey { outletPrefixed(.stock, outlet, sku) }
    public static func member(_ id: String) -> StateKey { StateKey(.members, Array(id.utf8)) }
    public static func shift(outlet: UInt32, till: String) -> StateKey { outletPrefixed(.shifts, outlet, till) }
    public static func books(outlet: UInt32) -> StateKey { outletPrefixed(.books, outlet, "") }
    public static func sale(_ id: Hash256) -> StateKey { StateKey(.sales, id.bytes) }
    public static func transfer(_ id: TransferID, outgoing: Bool) -> StateKey {
        StateKey(.transfers, id.bytes + [outgoing ? 1 : 2])
    }
    public static func voucher(_ id: String) -> StateKey { StateKey(.vouchers, Array(id.utf8)) }
    public static let retailSettings = StateKey(.settings, [])
}
