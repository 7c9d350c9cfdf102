import SGPOSState

/// Setting price-list entries (`till prices`, the back office): the one place a SKU
/// becomes sellable, so it is held to the rule every till request applies to SKUs
/// (``RequestLimits/sku(_:field:)``: printable ASCII, at most 64 bytes). A price list
/// with a SKU no till could sell is refused here, naming the entry, rather than accepted
/// by the chain and refused at every sale.
public enum PriceListBuilder {
    public static func build(_ entries: [PriceEntry]) throws(RequestError) -> SetPrices {
        guard (1...POSLimits.priceEntriesMax).contains(entries.count) else {
            throw RequestError("a price list sets 1...\(POSLimits.priceEntriesMax) entries; this one has \(entries.count)")
        }
        for (index, entry) in entries.enumerated() {
            try RequestLimits.sku(entry.sku, field: "entries[\(index)].sku")
            try RequestLimits.check(entry.category, "entries[\(index)].category", limit: POSLimits.categoryBytesMax)
        }
        return SetPrices(entries: entries)
    }
}
