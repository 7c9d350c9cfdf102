import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// The till's item search (docs/API.md, `GET /v1/outlets/{outlet}/items`): the active
/// items of an outlet's price list whose SKU or category contains the query, ignoring
/// ASCII case, with the price and the units on hand. SKUs that start with the query come
/// first, then the others, each group in SKU order. One pass over the outlet's price
/// table; memory is bounded by `limit`, whatever the table's size.
public struct ItemSearch: Sendable {
    /// One item as the till shows it.
    public struct Item: Sendable, Equatable {
        public var sku: String
        public var category: String
        /// Unit price in cents (GST included unless the list says otherwise).
        public var unitPrice: Int64
        public var taxCategory: TaxCategory
        public var onHand: Int64
    }

    /// Longest query in bytes, and most items answered.
    public static let queryBytesMax = 64
    public static let limitMax = 50

    public let outlet: OutletID
    public let query: String
    public let limit: Int

    /// `query`: at most ``queryBytesMax`` printable ASCII bytes (empty: every item);
    /// `limit`: 1...``limitMax``.
    public init(outlet: OutletID, query: String, limit: Int) throws(ReportError) {
        guard query.utf8.count <= Self.queryBytesMax, query.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw ReportError.badParameter("q must be at most \(Self.queryBytesMax) printable ASCII characters")
        }
        guard (1...Self.limitMax).contains(limit) else { throw ReportError.badParameter("limit must be 1...\(Self.limitMax)") }
        self.outlet = outlet
        self.query = query
        self.limit = limit
    }

    /// The matching items in `state` (the outlet's chain state).
    public func run(_ state: StoredState) throws -> [Item] {
        let needle = Array(query.utf8.map(Self.lower))
        var startsWith: [Item] = []
        var contains: [Item] = []
        var prefix = CanonicalEncoder(capacity: 4)
        prefix.writeU32(outlet)
        _ = try state.scan(.prices, prefix: prefix.bytes) { key, value in
            let skuBytes = Array(key.key.dropFirst(4))
            let sku = skuBytes.map(Self.lower)
            let isPrefix = sku.starts(with: needle)
            // Once `limit` SKUs start with the query, nothing later can be shown.
            if !isPrefix && startsWith.count == limit { return true }
            let price = try PriceRecord(canonicalBytes: value)
            guard price.active else { return true }
            let matches = isPrefix || Self.contains(sku, needle) || Self.contains(Array(price.category.utf8.map(Self.lower)), needle)
            guard matches else { return true }
            if isPrefix ? startsWith.count < limit : contains.count < limit {
                let sku = String(decoding: skuBytes, as: UTF8.self)
                let item = Item(sku: sku, category: price.category, unitPrice: price.unitPrice, taxCategory: price.taxCategory,
                                onHand: try state.stockOnHand(outlet: outlet, sku: sku))
                if isPrefix { startsWith.append(item) } else { contains.append(item) }
            }
            return true
        }
        return Array((startsWith + contains).prefix(limit))
    }

    private static func lower(_ byte: UInt8) -> UInt8 { (65...90).contains(byte) ? byte + 32 : byte }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
