import Foundation
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

/// Store format 6 (FORMAT.md §9.1): a sale's record, while it is as the sale wrote it, is
/// kept as a reference (shift number ‖ till) in the sale's tx-index entry, not in `state`;
/// reads rebuild it from the sale; a refund puts the record in `state`; the audit checks
/// every reference and refuses a record kept both ways; `upgrade` moves a format-5 store's
/// records.
@Suite struct SaleRecordReferenceTests {
    /// The sales records of outlet 1 in `state`, by sale id.
    func recordsInState(_ store: LedgerStore) throws -> [Hash256: [UInt8]] {
        let state = try store.database(named: "state")
        let prefix = StoreLayout.u32Bytes(1) + [StateTable.sales.rawValue]
        return try store.environment.read { transaction in
            var found: [Hash256: [UInt8]] = [:]
            try transaction.scan(state, from: prefix) { key, value in
                guard key.starts(with: prefix) else { return false }
                found[Hash256(bytes: Array(key.dropFirst(5)))!] = value
                return true
            }
            return found
        }
    }

    /// The ids of outlet 1's committed sales, in chain order.
    func saleIDs(_ store: LedgerStore) throws -> [Hash256] {
        try store.environment.read { transaction in
            let height = try store.head(1, transaction).height
            return try (1...height).flatMap { height in
                try #require(try store.block(1, height: height, transaction)).transactions.filter {
                    if case .application(POSBodyType.sale, _) = $0.envelope.body { return true } else { return false }
                }.map(\.id)
            }
        }
    }

    @Test func aSaleRecordIsKeptInTxIndexUntilARefundChangesIt() throws {
        let (store, network, directory) = try POSReplayTests().shopLedger(references: true)
        let (plain, _, plainDirectory) = try POSReplayTests().shopLedger(references: false)
        defer { withExtendedLifetime((directory, plainDirectory)) {} }
        let sales = try saleIDs(store)
        #expect(sales.count == 50)
        #expect(try recordsInState(store).isEmpty, "no sales record in state")
        #expect(try recordsInState(plain).count == 50, "without references every record is in state")
        // Read back: the same bytes the store without references holds, for every sale.
        let plainSales = try saleIDs(plain)
        for (id, plainID) in zip(sales, plainSales) {
            let (held, full) = try (store.environment.read { try store.stateReader(1, $0).read(.sale(id)) },
                                    plain.environment.read { try plain.stateReader(1, $0).read(.sale(plainID)) })
            let record = try SaleRecord(canonicalBytes: try #require(held))
            #expect(record == (try SaleRecord(canonicalBytes: try #require(full))))
            #expect(record.till == "till" && record.shiftNumber == 1)
            let entry = try #require(try store.environment.read { try store.indexEntry(of: id, $0) })
            var reference = CanonicalEncoder()
            reference.writeU64(1)
            reference.writeString("till", limit: 64)
            #expect(entry.reference == reference.bytes, "shift number u64 ‖ till string")
        }
        #expect { try store.environment.read { try store.stateReader(1, $0).scan(.sales) { _, _ in true } } }
            throws: { ($0 as? StoreError)?.code == 8 }
        // Another outlet's chain holds no record of outlet 1's sales (not an error).
        #expect(try store.environment.read { try store.stateReader(2, $0).read(.sale(sales[0])) } == nil)

        // A refund of one unit of the first sale: its record now in state, with the refund.
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        // The till signed the shift's opening and the 50 sales.
        var till = TillSession(genesis: network.genesis, outlet: 1, key: TestNetwork.key("till"), principal: "till", lastSequence: 51)
        let time: Int64 = 1_772_416_800_000
        let refund = try store.environment.read { transaction in
            try till.buildRefund(of: sales[0], units: [(line: 0, quantity: 1)], reason: "damaged", restock: false,
                                 refundTender: .cash(tendered: nil), state: store.stateReader(1, transaction))
        }
        let outcome = try writer.append([till.sign(.refund(refund), atMs: time)], timestampMs: TimestampMs(time))
        guard case .committed = outcome[0] else { Issue.record("refund refused: \(outcome[0])"); return }
        let inState = try recordsInState(store)
        #expect(Array(inState.keys) == [sales[0]])
        let refunded = try SaleRecord(canonicalBytes: try store.environment.read { try store.stateReader(1, $0).read(.sale(sales[0])) }!)
        #expect(refunded.lines[0].refundedQuantity == 1)
        let audit = try AuditVerifier(rules: POSRules.chainRules).verify(store: store, trustedGenesis: network.genesis)
        #expect(audit.isValid, "\(audit.findings)")
    }

    /// A reference that does not rebuild its record, and a record kept both in state and as
    /// a reference, are findings; a reference on a transaction that is no sale too.
    @Test func theAuditChecksEveryReference() throws {
        var sales: [Hash256] = []
        func audited(_ damage: (LedgerStore, [Hash256], LMDBTransaction) throws -> Void) throws -> [AuditFinding] {
            let (store, network, _) = try POSReplayTests().shopLedger(references: true)
            sales = try saleIDs(store)
            try store.environment.write { try damage(store, sales, $0) }
            return try AuditVerifier(rules: POSRules.chainRules).verify(store: store, trustedGenesis: network.genesis).findings
        }
        let clean = try audited { _, _, _ in }
        #expect(clean.isEmpty, "\(clean)")
        // Another shift number in the seventh sale's reference.
        let wrongShift = try audited { store, sales, transaction in
            let index = try store.database(named: "tx-index")
            var value = try #require(try transaction.get(index, sales[6].bytes))
            value[16 + 7] = 2
            try transaction.put(index, sales[6].bytes, value)
        }
        #expect(wrongShift.map(\.rule) == ["store/tx-index"] && wrongShift.first?.transactionID == sales[6], "\(wrongShift)")
        // The record kept in state as well.
        let both = try audited { store, sales, transaction in
            let record = try #require(try store.stateReader(1, transaction).read(.sale(sales[3])))
            try transaction.put(try store.database(named: "state"), StoreLayout.stateKey(1, .sale(sales[3])),
                                StoreLayout.storedStateValue(.sales, record))
        }
        #expect(both.map(\.rule) == ["store/state", "store/state"], "\(both.map(\.message))")
        #expect(both.first?.message == "state entry \(Hex.encode(StoreLayout.stateKey(1, .sale(sales[3])))) differs from the replayed state")
        #expect(both.last?.message.hasSuffix("holds 35 entries, the verified chains account for 34") == true, "the database's count too")
        // The reference dropped: the record is then missing from state.
        let dropped = try audited { store, sales, transaction in
            let index = try store.database(named: "tx-index")
            let value = try #require(try transaction.get(index, sales[9].bytes))
            try transaction.put(index, sales[9].bytes, Array(value.prefix(16)))
        }
        #expect(dropped.map(\.message).first == "store holds 26 state entries, replay produced 27", "\(dropped.map(\.message))")
        // A reference on the shift's opening transaction (no sale).
        let notASale = try audited { store, _, transaction in
            let first = try #require(try store.block(1, height: 1, transaction)).transactions[3]
            let index = try store.database(named: "tx-index")
            let value = try #require(try transaction.get(index, first.id.bytes))
            try transaction.put(index, first.id.bytes, value + [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4] + Array("till".utf8))
        }
        #expect(notASale.map(\.rule) == ["store/tx-index"] && notASale.first?.height == 1, "\(notASale)")
    }

    /// A format-5 store (every record in state) is upgraded: each record moves to a
    /// reference, reads give the same bytes, the audit passes, and a second run does nothing.
    @Test func aFormat5StoreIsUpgraded() throws {
        let (store, network, scratch) = try POSReplayTests().shopLedger(references: false)
        let before = try recordsInState(store)
        #expect(before.count == 50)
        try store.environment.write { try $0.put(try store.database(named: "meta"), StoreLayout.MetaKey.format, [0, 0, 0, 5]) }
        let options = LedgerStore.Options(durability: .unsafeNoSyncForTests, recordReferences: POSRules.recordReferences)
        #expect { _ = try LedgerStore.open(dataDirectory: scratch.path, options: options) } throws: { "\($0)".contains("sgpos chain upgrade") }
        let report = try LedgerStore.upgrade(dataDirectory: scratch.path, options: options)
        #expect(report == .init(fromFormat: 5, blocks: 51, transactionTrees: 0, recordsReferenced: 50))
        let upgraded = try LedgerStore.open(dataDirectory: scratch.path, options: options)
        #expect(try recordsInState(upgraded).isEmpty)
        for (id, stored) in before {
            let read = try upgraded.environment.read { try upgraded.stateReader(1, $0).read(.sale(id)) }
            #expect(read == (try StoreLayout.stateValue(.sales, stored: stored, what: "record")))
        }
        let audit = try AuditVerifier(rules: POSRules.chainRules).verify(store: upgraded, trustedGenesis: network.genesis)
        #expect(audit.isValid, "\(audit.findings)")
        #expect(try LedgerStore.upgrade(dataDirectory: scratch.path, options: options).fromFormat == 6)
        // Opened without the references, the store refuses to read such a record (never nil).
        let bare = try LedgerStore.open(dataDirectory: scratch.path, options: .init(durability: .unsafeNoSyncForTests))
        let id = try #require(before.keys.first)
        #expect { try bare.environment.read { try bare.stateReader(1, $0).read(.sale(id)) } } throws: { ($0 as? StoreError)?.code == 8 }
    }
}
