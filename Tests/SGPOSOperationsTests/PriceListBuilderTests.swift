import SGPOSOperations
import SGPOSState
import Testing

/// A SKU that enters the price list can be sold through every till (the same rule).
@Suite struct PriceListBuilderTests {
    @Test func aSkuNoTillCouldSellIsRefusedAtThePriceList() throws {
        let good = [PriceEntry(sku: "RICE 5KG", category: "staples", unitPrice: 1_390)]
        #expect(try PriceListBuilder.build(good).entries == good)
        for sku in ["ÉCLAIR", "TAB\tKEY", String(repeating: "A", count: 65)] {
            #expect(throws: RequestError.self) { try PriceListBuilder.build([PriceEntry(sku: sku, category: "x", unitPrice: 1)]) }
            do { _ = try PriceListBuilder.build([PriceEntry(sku: sku, category: "x", unitPrice: 1)]) } catch {
                #expect(error.message.contains("entries[0].sku"), "\(error.message)")
            }
        }
        #expect(throws: RequestError.self) { try PriceListBuilder.build([]) }
    }
}
