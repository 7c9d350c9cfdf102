import ArgumentParser
import SGPOSCommandSupport
import SGPOSChain
import SGPOSOperations
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSTill

/// `sgpos debug pos-replay`: a seeded retail day (keys, times and ids derived from the
/// seed) applied block by block in memory; prints every block's write-set hash and state
/// root. Two runs with one seed must print the same bytes, in any process, on any machine.
public struct POSReplay: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pos-replay", abstract: "Apply a seeded retail day in memory and print each block's state root.")
    @Option(help: "Seed for keys, baskets and tenders.") var seed: UInt64 = 1
    @Option(help: "Sales to make.") var sales: Int = 200
    @Option(help: "Transactions per block.") var blockSize: Int = 25

    public init() {}

    public func run() throws {
        guard (1...100_000).contains(sales), (1...8_190).contains(blockSize) else {
            throw ValidationError("--sales must be 1...100000 and --block-size 1...8190")
        }
        var random = SplitMix(seed: seed)
        func key(_ label: String) -> SigningKey {
            SigningKey(seed: Hash256.sha256(Array("pos-replay/\(seed)/\(label)".utf8)).bytes)!
        }
        let admin = key("admin")
        let genesis = try Genesis(
            chainID: ChainID("sgpos-replay")!, genesisTimeMs: 1_767_196_800_000, blockTransactionsMax: 8_190,
            keyRotationOverlapMsMax: 0, gstPricesIncludeTax: true, gstMethod: seed % 2 == 0 ? .perLine : .perInvoice,
            gstRates: [.init(effectiveFrom: "2023-01-01", basisPoints: 800), .init(effectiveFrom: "2024-01-01", basisPoints: 900)],
            admins: [.init(name: "admin", publicKey: admin.publicKey)],
            outlets: [.init(id: 1, name: "Replay", nodeKey: key("node").publicKey)], validators: [])
        var state = MemoryState()
        let genesisWrites = genesis.initialWrites
        state.apply(genesisWrites)
        var root = StateCommitment.genesisRoot(genesis: genesis, writes: genesisWrites)
        print("genesis \(genesis.id) state-root \(root)")
        var time: Int64 = 1_772_416_800_000
        var idCounter: UInt64 = 0
        func nextID() -> IdempotencyID {
            idCounter += 1
            return IdempotencyID(bytes: Array(Hash256.sha256(Array("pos-replay/\(seed)/id/\(idCounter)".utf8)).bytes.prefix(16)))!
        }
        let tillKey = key("till"), managerKey = key("manager")
        var adminSession = TillSession(genesis: genesis, outlet: 1, key: admin, principal: "admin", lastSequence: 0)
        var manager = TillSession(genesis: genesis, outlet: 1, key: managerKey, principal: "manager", lastSequence: 0)
        var till = TillSession(genesis: genesis, outlet: 1, key: tillKey, principal: "till", lastSequence: 0)
        let skus = (0..<20).map { "SKU-\($0)" }
        var pending: [SignedTransaction] = [
            adminSession.signChain(.registerKey(RegisterKey(key: tillKey.publicKey, role: .till, principal: "till")), atMs: time, idempotency: nextID()),
            adminSession.signChain(.registerKey(RegisterKey(key: managerKey.publicKey, role: .operator, principal: "manager")), atMs: time, idempotency: nextID()),
        ]
        var height: UInt64 = 0
        func seal(_ transactions: [SignedTransaction]) throws {
            height += 1
            var overlay = StateOverlay(base: state)
            let context = BlockContext(genesis: genesis, outletID: 1, height: height, timestampMs: TimestampMs(time))
            for transaction in transactions { try POSRules.chainRules.apply(transaction, context: context, state: &overlay) }
            root = StateCommitment.next(previous: root, writeSetHash: overlay.writes.hash)
            state.apply(overlay.writes)
            print("block \(height) txs \(transactions.count) write-set \(overlay.writes.hash) state-root \(root)")
        }
        try seal(pending)
        pending = [
            manager.sign(.setPrices(SetPrices(entries: skus.enumerated().map {
                PriceEntry(sku: $0.element, category: "c\($0.offset % 4)", unitPrice: 95 + Int64($0.offset) * 211)
            })), atMs: time, idempotency: nextID()),
            till.sign(.loyaltyEnrol(LoyaltyEnrol(memberID: "M1")), atMs: time, idempotency: nextID()),
            till.sign(.shiftOpen(ShiftOpen(float: 20_000)), atMs: time, idempotency: nextID()),
        ]
        try seal(pending)
        var made = 0
        while made < sales {
            var overlayState = state
            var block: [SignedTransaction] = []
            for _ in 0..<min(blockSize, sales - made) {
                time += Int64(random.next() % 90_000)
                let lines = (0..<(1 + Int(random.next() % 5))).map { index in
                    StockLine(sku: skus[(Int(random.next() % 4) * 5 + index) % skus.count], quantity: 1 + Int64(random.next() % 3))
                }
                let payment: Payment = random.next() % 2 == 0 ? .cash(tendered: nil)
                    : .nets(terminalID: "N1", approvalCode: "1", rrn: "1", maskedPAN: "************0001")
                let member = random.next() % 3 == 0 ? "M1" : ""
                let sale = try till.buildSale(lines, memberID: member, payment: payment, atMs: time, state: overlayState)
                let signed = till.sign(.sale(sale), atMs: time, idempotency: nextID())
                var overlay = StateOverlay(base: overlayState)
                try POSRules.chainRules.apply(signed, context: BlockContext(genesis: genesis, outletID: 1, height: height + 1,
                                                                           timestampMs: TimestampMs(time)), state: &overlay)
                overlayState.apply(overlay.writes)
                block.append(signed)
                made += 1
            }
            try seal(block)
        }
        let books = try state.outletBooks(1)
        print("sales \(books.period.salesCount) total \(books.period.salesTotal) GST \(books.period.gstByRate.map { "\($0.basisPoints):\($0.gst)" }) member-points \(try state.memberAccount("M1")?.balance ?? 0)")
    }
}
