import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSTill
import SGPOSClient

/// The opening of one demo outlet before its node starts: price list, stock, members and
/// open shifts, signed by the outlet's manager and tills and appended through the real
/// committer (the node's write path). Trading then goes through the node's HTTP API (DemoTrading).
public struct DemoShop {
    let outlet: DemoOutlet
    var tills: [TillSession]
    var manager: TillSession

    static let catalogue: [PriceEntry] = [
        PriceEntry(sku: "MILK-1L", category: "dairy", unitPrice: 365),
        PriceEntry(sku: "BREAD-WHITE", category: "bakery", unitPrice: 289),
        PriceEntry(sku: "EGGS-10", category: "dairy", unitPrice: 395),
        PriceEntry(sku: "RICE-5KG", category: "staples", unitPrice: 1_390),
        PriceEntry(sku: "KAYA-JAR", category: "spreads", unitPrice: 545),
        PriceEntry(sku: "KOPI-O-PACK", category: "beverages", unitPrice: 725),
        PriceEntry(sku: "MILO-1KG", category: "beverages", unitPrice: 1_295),
        PriceEntry(sku: "CHIPS-150G", category: "snacks", unitPrice: 105),
        PriceEntry(sku: "TISSUE-10", category: "household", unitPrice: 899),
        PriceEntry(sku: "DETERGENT-3L", category: "household", unitPrice: 1_650),
        PriceEntry(sku: "PEN-BLUE", category: "stationery", unitPrice: 99),
        PriceEntry(sku: "UMBRELLA", category: "accessories", unitPrice: 1_990),
        PriceEntry(sku: "RICE-COOKER", category: "appliances", unitPrice: 8_900),
        PriceEntry(sku: "AIR-FRYER", category: "appliances", unitPrice: 15_900),
        PriceEntry(sku: "TV-55-4K", category: "electronics", unitPrice: 129_900),
        PriceEntry(sku: "HEADPHONES", category: "electronics", unitPrice: 24_900),
        // Priced before GST (GST added on top): the exclusive path of FORMAT.md §13.
        PriceEntry(sku: "WINE-RED", category: "liquor", unitPrice: 3_990, priceIncludesGST: false),
        // Supplies that bear no GST (FORMAT.md §13.2 tax category; GST F5 boxes 2 and 3):
        // investment-grade gold is exempt, delivery abroad an international service
        // (zero-rated), a donation collected for a charity out of scope.
        PriceEntry(sku: "GOLD-WAFER-1G", category: "precious-metals", unitPrice: 12_900, taxCategory: .exempt),
        PriceEntry(sku: "DELIVERY-INTL", category: "services", unitPrice: 2_500, taxCategory: .zeroRated),
        PriceEntry(sku: "DONATION-2", category: "donations", unitPrice: 200, taxCategory: .outOfScope),
        // The reward catalogue's tote bag at its retail value: reward.tote-bag makes it free
        // for 800 points (Contracts/reward-tote-bag.rules).
        PriceEntry(sku: "RW-TOTE", category: "rewards", unitPrice: 1_200),
    ]

    /// What the demo's tills sell at random: the first twelve items and the three that
    /// bear no GST, so mixed baskets occur.
    static let traded: [PriceEntry] = Array(catalogue.prefix(12)) + catalogue.filter { $0.taxCategory != .standardRated }

    /// The opening deliveries: the standard-rated goods from a GST-registered wholesaler,
    /// costed from its tax invoice (unit cost 60 % of the list price, GST at 9 % on top:
    /// the GST return's boxes 5 and 7), the rest, whose purchase is not a taxable one
    /// (exempt gold, services, donation cards), received without an invoice, and two lots
    /// of milk with their GS1 lot and expiry.
    static func openingDeliveries(outlet: OutletID) throws -> [StockReceive] {
        func quantity(_ entry: PriceEntry) -> Int64 { entry.unitPrice > 10_000 ? 20 : 500 }
        let taxed = catalogue.filter { $0.taxCategory == .standardRated }
        let costs = taxed.map { $0.unitPrice * 60 / 100 }
        let value = zip(taxed, costs).reduce(Int64(0)) { $0 + quantity($1.0) * $1.1 }
        let stock = StockBuilder(outlet: outlet)
        return [
            try stock.buildReceive(reference: "DO-OPENING", lines: taxed.map { StockLine(sku: $0.sku, quantity: quantity($0)) },
                                   invoice: SupplierInvoice(supplier: "Demo Wholesale Pte Ltd (M2-0000002-W)", unitCosts: costs,
                                                            inputGST: Rounding.halfAwayFromZero.divide(value * 900, by: 10_000))),
            try stock.buildReceive(reference: "DO-OPENING-OTHER",
                                   lines: catalogue.filter { $0.taxCategory != .standardRated }.map { StockLine(sku: $0.sku, quantity: quantity($0)) }),
            // Lot-tracked milk (FORMAT.md §13.6): 12 each of two lots, as the GS1 labels say.
            try stock.buildReceive(reference: "DO-MILK-LOTS", lines: [StockLine(sku: "MILK-1L", quantity: 24)], lots: [
                LotEntry(lineIndex: 0, gtin: DemoCommand.recallGTIN, lot: DemoCommand.recalledLot, expiryDay: DemoCommand.lotExpiryDay, quantity: 12),
                LotEntry(lineIndex: 0, gtin: DemoCommand.recallGTIN, lot: DemoCommand.keptLot, expiryDay: DemoCommand.lotExpiryDay, quantity: 12),
            ]),
        ]
    }

    /// What each outlet sends the next in a ring: jars of kaya, and two units of milk lot
    /// L2611B with their lot (a version-2 transfer, FORMAT.md §13.6).
    static let ringTransfer = [StockLine(sku: "KAYA-JAR", quantity: 6), StockLine(sku: "MILK-1L", quantity: 2)]
    static let ringLots = [LotEntry(lineIndex: 1, gtin: DemoCommand.recallGTIN, lot: DemoCommand.keptLot, expiryDay: DemoCommand.lotExpiryDay, quantity: 2)]

    public static let merchant = Merchant(legalName: "SGPOS Demo Retail Pte Ltd",
                                   addressLines: ["1 Demo Street #01-01", "Singapore 000001"],
                                   gstRegistrationNumber: "M9-0000001-D")

    init(outlet: DemoOutlet, tillKeys: [SigningKey]) throws {
        self.outlet = outlet
        let (tills, manager) = try outlet.store.environment.read { transaction in
            let state = outlet.store.stateReader(outlet.outletID, transaction)
            let tills = try tillKeys.map {
                try TillSession.resume(genesis: outlet.network.genesis, outlet: outlet.outletID, key: $0, state: state)
            }
            let manager = try TillSession.resume(genesis: outlet.network.genesis, outlet: outlet.outletID,
                                                 key: outlet.manager, state: state)
            return (tills, manager)
        }
        self.tills = tills
        self.manager = manager
    }

    /// Builds transactions against the provisional state and appends them as one block.
    mutating func block(_ build: (inout DemoShop, StateOverlay) throws -> SignedTransaction?,
                        count: Int) async throws -> [(SignedTransaction, AppendOutcome)] {
        let built = try buildBlock(store: outlet.store, outletID: outlet.outletID, count: count) { state in
            try build(&self, state)
        }
        let committed = built.isEmpty ? [] : Array(zip(built, try await outlet.append(built)))
        for (transaction, outcome) in committed {
            guard case .committed = outcome else {
                throw CLIError("outlet \(outlet.outletID): transaction \(transaction.id) was not committed: \(render(outcome))")
            }
        }
        return committed
    }

    /// Price list, opening stock, members and open shifts.
    mutating func open(members: Int) async throws {
        let now = Int64(wallClockMs())
        // The shipped promotion and loyalty rules, deployed by the network's admin before
        // the first sale: every sale below is priced with them (FORMAT.md §13.4 step 4).
        var queue = ShippedRules.all.map {
            outlet.transaction(outlet.network.admin, POSBody.deployRule(DeployRule(source: $0.source, activeFromMs: UInt64(now))).transactionBody)
        }
        // Members earn what the rules award (loyalty.tiers is the programme), said explicitly;
        // returns of sales with promotions re-price what the customer keeps; tiers are
        // reviewed every 12 months (one down when the year's spend did not keep them).
        queue.append(outlet.transaction(outlet.network.admin, POSBody.configure(
            RetailSettings(earning: .rulesOnly, returns: .reprice, tierReviewMonths: 12)).transactionBody))
        var setup: [POSBody] = [.setPrices(SetPrices(entries: DemoShop.catalogue))]
        setup += try DemoShop.openingDeliveries(outlet: outlet.outletID).map { POSBody.stockReceive($0) }
        queue += setup.map { manager.sign($0, atMs: now) }
        for index in 0..<members {
            queue.append(tills[index % tills.count].sign(.loyaltyEnrol(LoyaltyEnrol(memberID: memberID(index))), atMs: now))
        }
        queue.append(manager.sign(.loyaltyAdjust(LoyaltyAdjust(memberID: memberID(0), delta: 2_000, reason: "welcome bonus")), atMs: now))
        // The loyalty programme's operator tables: points rates by category and a personal multiplier.
        queue.append(manager.sign(.setPointRates(SetPointRates(entries: [
            .init(category: "bakery", basisPoints: 15_000), .init(category: "snacks", basisPoints: 20_000)], reason: "launch rates")), atMs: now))
        queue.append(manager.sign(.setMemberMultiplier(SetMemberMultiplier(memberID: memberID(0), basisPoints: 12_500, reason: "staff member")), atMs: now))
        for index in tills.indices { queue.append(tills[index].sign(.shiftOpen(ShiftOpen(float: 20_000)), atMs: now)) }
        var pending = queue[...]
        _ = try await block({ _, _ in pending.popFirst() }, count: queue.count)
        try await exerciseTheBooks(now: now)
    }

    /// The rest of the vocabulary, so every body type is on chain for the auditors'
    /// replays: a damaged-goods adjustment, a stocktake with a variance, a transfer to
    /// the next outlet and the receipt of the previous outlet's, a training sale, and a
    /// sale voided at once, a no-sale drawer opening, and a second transfer left in transit.
    private mutating func exerciseTheBooks(now: Int64) async throws {
        let outletID = outlet.outletID
        let next = outlet.network.genesis.outlets.first { $0.id > outletID }?.id ?? outlet.network.genesis.outlets[0].id
        let stock = StockBuilder(outlet: outletID)
        var steps = 0
        _ = try await block({ shop, state in
            steps += 1
            switch steps {
            case 1:
                return shop.manager.sign(.stockAdjust(try stock.buildAdjust(sku: "EGGS-10", delta: -2, reason: .damaged, note: "cracked")), atMs: now)
            case 2:
                // One egg tray fewer than the books say.
                let book = try OutletQuery(outlet: outletID).stock(sku: "EGGS-10", state: state)
                return shop.manager.sign(.stockCount(try stock.buildCount([(sku: "EGGS-10", counted: book - 1)], state: state)), atMs: now)
            case 3:
                let id = TransferID(bytes: Array(Hash256.sha256(Array("demo-transfer-\(outletID)".utf8)).bytes.prefix(16)))!
                return shop.manager.sign(.transferOut(try stock.buildTransferOut(id, to: next, lines: Self.ringTransfer, lots: Self.ringLots)), atMs: now)
            case 4:
                // The transfer the previous outlet (in a ring) sends to this one.
                let outlets = shop.outlet.network.genesis.outlets.map(\.id)
                let previous = outlets.last { $0 < outletID } ?? outlets.last!
                let id = TransferID(bytes: Array(Hash256.sha256(Array("demo-transfer-\(previous)".utf8)).bytes.prefix(16)))!
                return shop.manager.sign(.transferIn(try stock.buildTransferIn(id, from: previous, lines: Self.ringTransfer, lots: Self.ringLots)), atMs: now)
            case 5:
                let training = try shop.tills[0].buildSale([StockLine(sku: "MILK-1L", quantity: 1)], payment: .cash(tendered: nil),
                                                             training: true, atMs: now, state: state)
                return shop.tills[0].sign(.sale(training), atMs: now)
            default:
                let sale = try shop.tills[0].buildSale([StockLine(sku: "UMBRELLA", quantity: 1)], payment: DemoShop.cardReply,
                                                         atMs: now, state: state)
                return shop.tills[0].sign(.sale(sale), atMs: now)
            }
        }, count: 6)
        let last = try outlet.store.environment.read { transaction -> Hash256 in
            let head = try outlet.store.head(outletID, transaction)
            return try outlet.store.block(outletID, height: head.height, transaction)!.transactions.last!.id
        }
        _ = try await block({ shop, _ in
            steps += 1
            switch steps {
            case 7: return shop.tills[0].sign(.void(SaleVoid(originalSale: last, reason: "wrong colour")), atMs: now)
            case 8: return shop.tills[0].sign(.drawerOpen(DrawerOpen(reason: "change for a customer")), atMs: now)
            case 9:
                // Sent and not yet received when the demo ends: the stock report shows it in transit.
                let id = TransferID(bytes: Array(Hash256.sha256(Array("demo-in-transit-\(outletID)".utf8)).bytes.prefix(16)))!
                return shop.manager.sign(.transferOut(try stock.buildTransferOut(id, to: next, lines: [StockLine(sku: "UMBRELLA", quantity: 2)])), atMs: now)
            default: return nil
            }
        }, count: 3)
        try await exerciseMemberPaths(now: now)
    }

    /// Member paths the trading does not reach, so the auditors' replays (Swift and
    /// Python) see them: a sale that lifts a member above the first tier and its void, a
    /// sale priced before GST paid by voucher and refunded in full, cash in and out of the
    /// drawer, a negative points adjustment, and a sale paid partly in points as a tender
    /// (the retail setting switched for it by an admin, then back); last, the first member
    /// takes the reward catalogue's tote bag for 800 points (refused by its rule once the
    /// offer has expired: then the demo says so and goes on).
    private mutating func exerciseMemberPaths(now: Int64) async throws {
        let (spender, buyer) = (memberID(1), memberID(2))
        var steps = 0
        var bigSale: Hash256?
        var wineSale: Hash256?
        _ = try await block({ shop, state in
            steps += 1
            let till = shop.tills[1]
            switch steps {
            case 1:
                // S$1,299.00 of lifetime spend: silver (FORMAT.md §13 tiers).
                let sale = try till.buildSale([StockLine(sku: "TV-55-4K", quantity: 1)], memberID: spender,
                                              payment: DemoShop.cardReply, atMs: now, state: state)
                let signed = shop.tills[1].sign(.sale(sale), atMs: now)
                bigSale = signed.id
                return signed
            case 2:
                return shop.tills[1].sign(.void(SaleVoid(originalSale: bigSale!, reason: "customer changed mind")), atMs: now)
            case 3:
                let sale = try till.buildSale([StockLine(sku: "WINE-RED", quantity: 2)], memberID: buyer,
                                              payment: .voucher(id: "GV-\(shop.outlet.outletID)-0001"), atMs: now, state: state)
                let signed = shop.tills[1].sign(.sale(sale), atMs: now)
                wineSale = signed.id
                return signed
            case 4:
                let refund = try till.buildRefund(of: wineSale!, units: [(line: 0, quantity: 2)], reason: "corked",
                                                  restock: false, refundTender: .cash(tendered: nil), state: state)
                return shop.tills[1].sign(.refund(refund), atMs: now)
            case 5: return shop.tills[1].sign(.cashIn(CashMovement(amount: 5_000, reason: "float top-up")), atMs: now)
            case 6: return shop.tills[1].sign(.cashOut(CashMovement(amount: 2_000, reason: "banked")), atMs: now)
            case 7:
                return shop.manager.sign(.loyaltyAdjust(LoyaltyAdjust(memberID: shop.memberID(0), delta: -150, reason: "duplicate bonus")), atMs: now)
            case 8, 10:
                // Points as a tender for one sale (an admin's retail setting), then back to a discount.
                var settings = try state.retailSettings()
                settings.redemptionIsTender = steps == 8
                return shop.outlet.transaction(shop.outlet.network.admin, POSBody.configure(settings).transactionBody)
            case 9:
                let sale = try till.buildSale([StockLine(sku: "MILK-1L", quantity: 2)], memberID: shop.memberID(0), redeemPoints: 100,
                                              payment: .cash(tendered: nil), atMs: now, state: state)
                return shop.tills[1].sign(.sale(sale), atMs: now)
            case 11:
                do {
                    let sale = try till.buildSale([StockLine(sku: "RW-TOTE", quantity: 1), StockLine(sku: "KAYA-JAR", quantity: 1)],
                                                  memberID: shop.memberID(0), payment: .cash(tendered: nil), atMs: now, state: state)
                    return shop.tills[1].sign(.sale(sale), atMs: now)
                } catch let refusal as LedgerRejection where refusal.reason == .contractRefused {
                    print("   outlet \(shop.outlet.outletID): the tote-bag reward was not sold: \(refusal.detail)")
                    return nil
                }
            default: return nil
            }
        }, count: 11)
        try await returnUnderPromotion(now: now)
    }

    /// A return under a promotion (docs/POS.md): three snacks bought on buy-2-get-1, one
    /// brought back. The two kept no longer earn the free one, so the refund is what was
    /// paid less the kept two at full price — nothing — and the credit note says why.
    /// Then a guest buys milk: the members' dairy offer does not apply, recorded with why;
    /// and a customer keys in the flyer's code WELCOME2.
    private mutating func returnUnderPromotion(now: Int64) async throws {
        var snackSale: Hash256?
        var steps = 0
        var refunded: Refund?
        var guestSkips: [SkippedRule] = []
        var coded: Sale?
        var issuingSale: Hash256?
        var couponSale: Sale?
        _ = try await block({ shop, state in
            steps += 1
            switch steps {
            case 1:
                let sale = try shop.tills[1].buildSale([StockLine(sku: "CHIPS-150G", quantity: 3)], memberID: shop.memberID(2),
                                                       payment: .cash(tendered: nil), atMs: now, state: state)
                let signed = shop.tills[1].sign(.sale(sale), atMs: now)
                snackSale = signed.id
                return signed
            case 2:
                let refund = try shop.tills[1].buildRefund(of: snackSale!, units: [(line: 0, quantity: 1)], reason: "one bag too many",
                                                           restock: true, refundTender: .cash(tendered: nil), state: state)
                refunded = refund
                return shop.tills[1].sign(.refund(refund), atMs: now)
            case 3:
                // A guest's milk: the members' dairy offer does not apply, and the receipt says why.
                let sale = try shop.tills[1].buildSale([StockLine(sku: "MILK-1L", quantity: 1)], payment: .cash(tendered: nil),
                                                       atMs: now, state: state)
                guestSkips = sale.skipped
                return shop.tills[1].sign(.sale(sale), atMs: now)
            case 4:
                // A promotion code from a flyer, keyed in at the till (promo.code-welcome2).
                let sale = try shop.tills[1].buildSale([StockLine(sku: "RICE-5KG", quantity: 1), StockLine(sku: "KOPI-O-PACK", quantity: 1)],
                                                       codes: ["WELCOME2"], payment: .cash(tendered: nil), atMs: now, state: state)
                coded = sale
                return shop.tills[1].sign(.sale(sale), atMs: now)
            case 5:
                // S$30.00 or more earns a next-order coupon (promo.next3-issue).
                let sale = try shop.tills[1].buildSale([StockLine(sku: "RICE-5KG", quantity: 3)], payment: .cash(tendered: nil),
                                                       atMs: now, state: state)
                let signed = shop.tills[1].sign(.sale(sale), atMs: now)
                issuingSale = signed.id
                return signed
            case 6:
                // A batch of single-use coupons of the same campaign, as marketing prints them.
                let codes = (1...2).map { "DEMO-\(shop.outlet.outletID)-\($0)" }
                let day = SaleCalculator.day(now)
                return shop.manager.sign(.issueCoupons(IssueCoupons(campaign: "NEXT3", memberID: "", validFrom: day, validUntil: day + 90,
                                                                    codeHashes: codes.map(CouponCode.hash))), atMs: now)
            case 7:
                // The customer comes back with the coupon the receipt printed.
                let code = CouponCode.issued(by: issuingSale!, index: 0)
                let sale = try shop.tills[1].buildSale([StockLine(sku: "MILO-1KG", quantity: 1)], codes: [code],
                                                       payment: .cash(tendered: nil), atMs: now, state: state)
                couponSale = sale
                return shop.tills[1].sign(.sale(sale), atMs: now)
            case 8:
                let sale = try shop.tills[1].buildSale([StockLine(sku: "KAYA-JAR", quantity: 1)], codes: ["DEMO-\(shop.outlet.outletID)-1"],
                                                       payment: .cash(tendered: nil), atMs: now, state: state)
                return shop.tills[1].sign(.sale(sale), atMs: now)
            case 9:
                // A gift card sold for S$50.00 cash (stored value: a liability, not takings)…
                let load = try shop.tills[1].builder.buildGiftCardLoad(code: "GIFT-\(shop.outlet.outletID)-0001", memberID: "", amount: 5_000,
                                                                        payment: .cash(tendered: nil), state: state)
                return shop.tills[1].sign(.giftCardLoad(load), atMs: now)
            case 10:
                // …then an umbrella paid with it.
                let sale = try shop.tills[1].buildSale([StockLine(sku: "UMBRELLA", quantity: 1)],
                                                       payment: .voucher(id: "GIFT-\(shop.outlet.outletID)-0001"), atMs: now, state: state)
                return shop.tills[1].sign(.sale(sale), atMs: now)
            default: return nil
            }
        }, count: 10)
        let card = try outlet.store.environment.read { txn in
            try outlet.store.stateReader(outlet.outletID, txn).giftCard(code: "GIFT-\(outlet.outletID)-0001")
        }
        if let card {
            print("   outlet \(outlet.outletID): gift card GIFT-\(outlet.outletID)-0001 loaded with S$50.00, paid S$19.90; balance \(Self.money(card.balance))")
        }
        if let refunded {
            let kept = refunded.adjustments.reduce(0) { $0 + $1.amount }
            print("   outlet \(outlet.outletID): 1 of 3 snacks on buy-2-get-1 returned: its share \(Self.money(refunded.lines.reduce(0) { $0 + $1.amount })), "
                  + "the 2 kept re-priced +\(Self.money(kept)), refunded \(Self.money(refunded.amount))")
        }
        for skipped in guestSkips { print("   outlet \(outlet.outletID): a guest's milk, not applied: \(skipped.reason) (\(skipped.rule))") }
        if let issuingSale, let couponSale {
            print("   outlet \(outlet.outletID): S$41.70 earned next-order coupon \(CouponCode.issued(by: issuingSale, index: 0)) (NEXT3); "
                  + "used on the next sale: \(Self.money(couponSale.discount)) off; a batch coupon DEMO-\(outlet.outletID)-1 used too")
        }
        if let coded {
            print("   outlet \(outlet.outletID): code \(coded.codes.joined(separator: ", ")) keyed in: \(Self.money(coded.discount)) off a \(Self.money(coded.subtotal)) basket")
        }
    }

    private static func money(_ cents: Int64) -> String { (try? Money(cents: cents))?.description ?? "\(cents) cents" }

    func memberID(_ index: Int) -> String { String(format: "M%02d-%04d", outlet.outletID, index + 1) }

    static let cardReply = Payment.card(terminalID: "VISA0001", approvalCode: "A1B2C3", rrn: "431512345678",
                                        maskedPAN: "411111******1111", scheme: "visa")
}

/// SplitMix64: the demo's reproducible choices (which items, which tender).
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
