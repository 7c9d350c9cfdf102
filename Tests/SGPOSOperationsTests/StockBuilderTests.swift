import SGPOSChain
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

/// Stock moves built by ``StockBuilder`` are the bodies the state machine accepts; what the
/// state forbids it refuses with its codes, and input over the limits never becomes a body.
@Suite struct StockBuilderTests {
    static func id(_ byte: UInt8) -> TransferID { TransferID(uncheckedBytes: Array(repeating: byte, count: TransferID.byteCount)) }

    @Test func receiveAdjustCountAndTransfersAreAccepted() throws {
        var shop = try ShopFixture()
        let stock = StockBuilder(outlet: shop.outlet)
        try shop.submit(.manager, .stockReceive(try stock.buildReceive(
            reference: "DO-1", lines: [StockLine(sku: "MILK", quantity: 40), StockLine(sku: "PEN", quantity: 10)])))
        try shop.submit(.manager, .stockAdjust(try stock.buildAdjust(sku: "MILK", delta: -2, reason: .damaged, note: "leaking")))
        let count = try stock.buildCount([(sku: "MILK", counted: 37)], state: shop.state)
        #expect(count.lines == [StockCount.Line(sku: "MILK", counted: 37, expected: 38, variance: -1)])
        try shop.submit(.manager, .stockCount(count))
        try shop.submit(.manager, .transferOut(try stock.buildTransferOut(Self.id(1), to: 2, lines: [StockLine(sku: "PEN", quantity: 4)])))
        try shop.submit(.manager, .transferIn(try stock.buildTransferIn(Self.id(2), from: 2, lines: [StockLine(sku: "MILK", quantity: 3)])))
        #expect(try shop.state.stockOnHand(outlet: shop.outlet, sku: "MILK") == 40)
        #expect(try shop.state.stockOnHand(outlet: shop.outlet, sku: "PEN") == 6)
    }

    @Test func aCountOfStaleBooksIsRefusedWithItsCode() throws {
        var shop = try ShopFixture()
        let stock = StockBuilder(outlet: shop.outlet)
        try shop.submit(.manager, .stockReceive(try stock.buildReceive(reference: "DO-1", lines: [StockLine(sku: "MILK", quantity: 5)])))
        let stale = try stock.buildCount([(sku: "MILK", counted: 4)], state: shop.state)
        try shop.submit(.manager, .stockAdjust(try stock.buildAdjust(sku: "MILK", delta: 1, reason: .found)))
        #expect(refusal { try shop.submit(.manager, .stockCount(stale)) }?.reason == .stockCountMismatch)
        #expect(refusal { _ = try stock.buildCount([(sku: "MILK", counted: -1)], state: shop.state) }?.reason == .invalidField)
        // Over the limits: refused before a body exists.
        #expect(throws: RequestError.self) { try stock.buildReceive(reference: String(repeating: "R", count: 65), lines: []) }
        #expect(throws: RequestError.self) { try stock.buildTransferOut(Self.id(3), to: 2, lines: [StockLine(sku: String(repeating: "S", count: 65), quantity: 1)]) }
        #expect(throws: RequestError.self) { try stock.buildAdjust(sku: "MILK", delta: 1, reason: .found, note: "line\nbreak") }
    }
}
