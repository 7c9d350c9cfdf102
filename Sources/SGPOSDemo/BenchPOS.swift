import Dispatch
import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSOperations
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTill

/// Pre-signed 5-line sales for the state-machine benchmark: built once (untimed) by a
/// till session against the evolving state, then re-applied from the same start.
struct POSBenchFixture {
    let genesis: Genesis
    let node: SigningKey
    /// Registry and retail set-up: till and manager keys, price list, an open shift.
    let setup: [SignedTransaction]
    let sales: [SignedTransaction]
    let start: MemoryState

    init(sales count: Int) throws {
        let admin = SigningKey.generate()
        node = SigningKey.generate()
        genesis = try Genesis(
            chainID: ChainID("sgpos-bench-pos")!, genesisTimeMs: 0, blockTransactionsMax: 8_190, keyRotationOverlapMsMax: 0,
            gstPricesIncludeTax: true, gstMethod: .perInvoice, gstRates: [.init(effectiveFrom: "2024-01-01", basisPoints: 900)],
            admins: [.init(name: "admin", publicKey: admin.publicKey)], outlets: [.init(id: 1, name: "bench", nodeKey: node.publicKey)],
            validators: [])
        let tillKey = SigningKey.generate()
        let managerKey = SigningKey.generate()
        var state = MemoryState()
        state.apply(genesis.initialWrites)
        let now: Int64 = 1_772_416_800_000
        var adminSession = TillSession(genesis: genesis, outlet: 1, key: admin, principal: "admin", lastSequence: 0)
        var setup = [
            adminSession.signChain(.registerKey(RegisterKey(key: tillKey.publicKey, role: .till, principal: "till-1")), atMs: now),
            adminSession.signChain(.registerKey(RegisterKey(key: managerKey.publicKey, role: .operator, principal: "manager")), atMs: now),
        ]
        var manager = TillSession(genesis: genesis, outlet: 1, key: managerKey, principal: "manager", lastSequence: 0)
        let prices = (0..<50).map { PriceEntry(sku: "SKU-\($0)", category: "cat-\($0 % 7)", unitPrice: 99 + Int64($0) * 137) }
        setup.append(manager.sign(.setPrices(SetPrices(entries: prices)), atMs: now))
        var till = TillSession(genesis: genesis, outlet: 1, key: tillKey, principal: "till-1", lastSequence: 0)
        setup.append(till.sign(.shiftOpen(ShiftOpen(float: 10_000)), atMs: now))
        try POSBenchFixture.apply(setup, genesis: genesis, to: &state, timeMs: now)
        start = state
        var sales: [SignedTransaction] = []
        sales.reserveCapacity(count)
        let payments: [Payment] = [.cash(tendered: nil),
                                   .card(terminalID: "T1", approvalCode: "A1", rrn: "R1", maskedPAN: "411111******1111", scheme: "visa")]
        for index in 0..<count {
            let lines = (0..<5).map { StockLine(sku: "SKU-\((index * 5 + $0 * 11) % 50)", quantity: 1 + Int64($0 % 3)) }
            let sale = try till.buildSale(lines, payment: payments[index % 2], atMs: now, state: state)
            let signed = till.sign(.sale(sale), atMs: now)
            try POSBenchFixture.apply([signed], genesis: genesis, to: &state, timeMs: now)
            sales.append(signed)
        }
        self.setup = setup
        self.sales = sales
    }

    static func apply(_ transactions: [SignedTransaction], genesis: Genesis, to state: inout MemoryState, timeMs: Int64) throws {
        var overlay = StateOverlay(base: state)
        let context = BlockContext(genesis: genesis, outletID: 1, height: 1, timestampMs: TimestampMs(timeMs))
        for transaction in transactions { try POSRules.chainRules.apply(transaction, context: context, state: &overlay) }
        state.apply(overlay.writes)
    }

    /// Sales per second through the state machine alone (decode, price, check, write),
    /// on one core, in blocks of `blockSize` (write sets merged per block, as the writer does).
    func stateMachineThroughput(blockSize: Int) throws -> Double {
        var state = start
        let started = DispatchTime.now()
        var index = 0
        while index < sales.count {
            let end = min(index + blockSize, sales.count)
            try POSBenchFixture.apply(Array(sales[index..<end]), genesis: genesis, to: &state, timeMs: 1_772_416_800_000)
            index = end
        }
        return Double(sales.count) / seconds(since: started)
    }

    /// Sales per second appended durably (signature check + state machine + LMDB commit).
    func durableAppendThroughput(directory: String, blockSize: Int) throws -> Double {
        let store = try LedgerStore.create(dataDirectory: directory, genesis: genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
        let writer = try OutletChainWriter(store: store, nodeKey: node, rules: POSRules.chainRules)
        let time: TimestampMs = 1_772_416_800_000
        _ = try writer.append(setup, timestampMs: time)
        let started = DispatchTime.now()
        var index = 0
        while index < sales.count {
            let end = min(index + blockSize, sales.count)
            let outcomes = try writer.append(Array(sales[index..<end]), timestampMs: time)
            precondition(outcomes.allSatisfy { if case .committed = $0 { true } else { false } }, "bench sale rejected")
            index = end
        }
        return Double(sales.count) / seconds(since: started)
    }
}
