import CLMDB
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import SGPOSTill
import Testing

/// POS blocks written by the real writer into LMDB are re-executed by the auditor:
/// every state root reproduces; without the POS rules, or with one state byte changed,
/// the audit fails and says where.
@Suite struct POSReplayTests {
    /// A shop's chain of 50 sales (10 a block); `references`: the store keeps sale records
    /// as references in tx-index (FORMAT.md §9.1), as a node does.
    func shopLedger(references: Bool = false) throws -> (LedgerStore, TestNetwork, TemporaryDirectory) {
        let scratch = TemporaryDirectory()
        let network = TestNetwork()
        let store = try LedgerStore.create(dataDirectory: scratch.path, genesis: network.genesis,
                                             options: .init(durability: .unsafeNoSyncForTests,
                                                            recordReferences: references ? POSRules.recordReferences : nil))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        let tillKey = TestNetwork.key("till"), managerKey = TestNetwork.key("manager")
        let time: Int64 = 1_772_416_800_000
        var admin = TillSession(genesis: network.genesis, outlet: 1, key: network.admin, principal: "hq", lastSequence: 0)
        var manager = TillSession(genesis: network.genesis, outlet: 1, key: managerKey, principal: "manager", lastSequence: 0)
        var till = TillSession(genesis: network.genesis, outlet: 1, key: tillKey, principal: "till", lastSequence: 0)
        _ = try writer.append([
            admin.signChain(.registerKey(RegisterKey(key: tillKey.publicKey, role: .till, principal: "till")), atMs: time),
            admin.signChain(.registerKey(RegisterKey(key: managerKey.publicKey, role: .operator, principal: "manager")), atMs: time),
            manager.sign(.setPrices(SetPrices(entries: ShopFixture.defaultPrices)), atMs: time),
            till.sign(.shiftOpen(ShiftOpen(float: 5_000)), atMs: time),
        ], timestampMs: TimestampMs(time))
        for block in 0..<5 {
            for index in 0..<10 {
                let sale = try store.environment.read { txn in
                    try till.buildSale([StockLine(sku: ShopFixture.defaultPrices[(block + index) % 6].sku, quantity: 1 + Int64(index % 3))],
                                       payment: .cash(tendered: nil), atMs: time, state: store.stateReader(1, txn))
                }
                let outcome = try writer.append([till.sign(.sale(sale), atMs: time)], timestampMs: TimestampMs(time))
                guard case .committed = outcome[0] else { throw StoreError.corrupt("sale refused: \(outcome[0])") }
            }
        }
        return (store, network, scratch)
    }

    @Test func auditReExecutesEverySaleAndReproducesEveryStateRoot() throws {
        let (store, network, _) = try shopLedger()
        let report = try AuditVerifier().verify(store: store, trustedGenesis: network.genesis)
        #expect(report.isValid, "\(report.findings)")
        #expect(report.transactionCount == 54)
        let withoutPOS = try AuditVerifier(rules: ChainRules()).verify(store: store, trustedGenesis: network.genesis)
        #expect(!withoutPOS.isValid && withoutPOS.findings.contains { "\($0)".contains("rule 16") }, "\(withoutPOS.findings)")
    }

    @Test func aChangedStockFigureIsFound() throws {
        let (store, network, _) = try shopLedger()
        let key = StoreLayout.stateKey(1, .stock(outlet: 1, sku: "MILK"))
        let state = try store.database(named: "state")
        try store.environment.write { transaction in
            let value = try transaction.get(state, key)!
            try transaction.put(state, key, StockRecord(onHand: try StockRecord(canonicalBytes: value).onHand + 1).canonicalBytes)
        }
        let report = try AuditVerifier().verify(store: store, trustedGenesis: network.genesis)
        #expect(!report.isValid)
        #expect(report.findings.contains { "\($0)".contains("state") }, "\(report.findings)")
    }
}
