import Foundation
import SGPOSChain
import SGPOSContracts
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSTestSupport
import Testing

/// One pricing path: `sgpos quote` (a what-if basket, JSON, priced against a state made up
/// from the values it carries) and the ledger (a sale built from the chain's state and
/// accepted by the state machine) must give byte-identical sales, or refuse alike.
@Suite struct QuoteLedgerDifferentialTests {
    static let contracts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Contracts").standardized.path

    static let catalogue: [PriceEntry] = [
        PriceEntry(sku: "MILK", category: "dairy", unitPrice: 365),
        PriceEntry(sku: "CHEESE", category: "dairy", unitPrice: 1_250, priceIncludesGST: false),
        PriceEntry(sku: "CHIPS", category: "snacks", unitPrice: 105),
        PriceEntry(sku: "NUTS", category: "snacks", unitPrice: 399),
        PriceEntry(sku: "COOKIES", category: "snacks", unitPrice: 250, priceIncludesGST: false),
        PriceEntry(sku: "BREAD", category: "bakery", unitPrice: 289),
        PriceEntry(sku: "RICE5KG", category: "staples", unitPrice: 1_390),
        PriceEntry(sku: "WINE", category: "drinks", unitPrice: 3_990),
        PriceEntry(sku: "TV55", category: "electronics", unitPrice: 129_900),
        PriceEntry(sku: "RW-TOTE", category: "rewards", unitPrice: 1_290),  // last: picked on its own
    ]
    static let members = ["M1", "M2", "M3", "M4", "M5"]

    /// A deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    /// `2026-03-02T10:00:00.123+08:00`.
    static func rfc3339(_ epochMs: Int64) -> String {
        let ms = Int(epochMs % 1_000)
        return CivilTime.singaporeDateTime(epochMs: epochMs).replacingOccurrences(of: " ", with: "T")
            + "." + String(repeating: "0", count: ms < 10 ? 2 : ms < 100 ? 1 : 0) + "\(ms)+08:00"
    }

    @Test func whatIfQuotesAreTheSalesTheLedgerRecords() throws {
        let rules = try FileManager.default.contentsOfDirectory(atPath: Self.contracts).filter { $0.hasSuffix(".rules") }.sorted()
            .map { DeployRule(source: try String(contentsOfFile: Self.contracts + "/" + $0, encoding: .utf8), activeFromMs: 0) }
        #expect(rules.count >= 7)
        // Outlet 2, so a path that assumes outlet 1 shows.
        var shop = try ShopFixture(network: TestNetwork(outlets: 3), outlet: 2, prices: Self.catalogue)
        for rule in rules { try shop.submit(.admin, .deployRule(rule)) }
        try shop.submit(.manager, .setPointRates(SetPointRates(
            entries: [.init(category: "dairy", basisPoints: 5_000), .init(category: "snacks", basisPoints: 20_000)], reason: "promo")))
        for member in Self.members { try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: member))) }
        try shop.submit(.manager, .setMemberMultiplier(SetMemberMultiplier(memberID: "M2", basisPoints: 15_000, reason: "vip")))
        try shop.openShift()
        let genesis = shop.network.genesis
        let gstRates = try GSTRateTable(entries: genesis.gstRates.map {
            GSTRateTable.Entry(effectiveFrom: CivilTime.Date(iso: $0.effectiveFrom)!, basisPoints: Int64($0.basisPoints))
        })
        let method: GSTMethod = genesis.gstMethod == .perLine ? .perLine : .perInvoice
        let builder = SaleBuilder(genesis: genesis, outlet: shop.outlet, principal: "till-1")
        let payments = [
            PaymentRequest(kind: "cash"), PaymentRequest(kind: "cash", tendered: "6000.00"),
            PaymentRequest(kind: "card", terminalId: "T1", approvalCode: "A1", rrn: "123456789012", maskedPan: "4111********1111", scheme: "visa"),
            PaymentRequest(kind: "nets", terminalId: "N1", approvalCode: "000123", rrn: "998877665544", maskedPan: "************4321"),
        ]
        var random = Random(state: 20_261_204)
        var compared = 0, refusedAlike = 0, withRules = 0
        var refusals: [UInt16: Int] = [:]
        for trial in 0..<10_000 {
            if random.below(25) == 0 { shop.timeMs += Int64(random.below(3 * 86_400_000)) }  // about a year in all
            if trial == 5_000 {
                try shop.submit(.admin, .configure(RetailSettings(pointValueCents: 2, pointsPerDollar: 2, redemptionIsTender: true)))
            }
            var lines: [(String, Int64)] = []
            for _ in 0..<(1 + random.below(4)) {
                let sku = Self.catalogue[random.below(Self.catalogue.count - 1)].sku
                if !lines.contains(where: { $0.0 == sku }) { lines.append((sku, Int64(1 + random.below(4)))) }
            }
            if random.below(20) == 0 { lines.append(("RW-TOTE", 1)) }  // the reward: refused without 800 points
            let member = random.below(4) == 0 ? "" : Self.members[random.below(Self.members.count)]
            let settings = try shop.state.retailSettings()
            var balance: Int64 = 0
            var basket: [String: Any] = [
                "at": Self.rfc3339(shop.timeMs), "outlet": Int(shop.outlet), "gstMethod": method.rawValue,
                "lines": try lines.map { sku, qty -> [String: Any] in
                    let price = try shop.state.priceRecord(outlet: shop.outlet, sku: sku)!
                    return ["sku": sku, "category": price.category, "qty": qty, "unitPrice": (try Money(cents: price.unitPrice)).decimal,
                            "priceIncludesGst": price.priceIncludesGST]
                },
            ]
            let active = try shop.state.activeRules(atMs: shop.timeMs)
            if !member.isEmpty {
                let account = try shop.state.memberAccount(member)!
                balance = account.balance(onDay: SaleCalculator.day(shop.timeMs))
                var counters: [[String: Any]] = []
                for rule in active {
                    for counter in rule.rule.memberCounters {
                        counters.append(["rule": rule.id, "counter": counter.name,
                                         "value": try shop.state.ruleCounter(rule: rule.id, counter: counter.name, member: member)])
                    }
                }
                basket["member"] = ["id": member, "tier": LoyaltyTier(rawValue: account.tier)!.name,
                                    "lifetimeSpend": try Money(cents: account.lifetimeSpend).decimal, "points": balance,
                                    "multiplierBps": try shop.state.memberMultiplier(member), "counters": counters] as [String: Any]
            }
            var budgets: [[String: Any]] = []
            for rule in active {
                for counter in rule.rule.budgets {
                    budgets.append(["rule": rule.id, "counter": counter.name,
                                    "value": try shop.state.ruleCounter(rule: rule.id, counter: counter.name, member: "")])
                }
            }
            basket["budgets"] = budgets
            var pointRates: [String: Int64] = [:]
            for category in Set(Self.catalogue.map(\.category)) {
                if let rate = try shop.state.pointRate(category: category) { pointRates[category] = rate }
            }
            basket["pointRates"] = pointRates
            let redeem: Int64 = member.isEmpty || random.below(3) > 0 ? 0 : Int64(random.below(Int(min(balance, 1_500)) + 20))
            basket["redeemPoints"] = redeem
            let payment = payments[random.below(payments.count)]
            basket["payment"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(payment))

            // The CLI's path: JSON in, what-if state, the ledger's own builder.
            let json = try JSONSerialization.data(withJSONObject: basket, options: [.sortedKeys])
            let whatIf = try JSONDecoder().decode(WhatIfBasket.self, from: json)
            let quoted = Result { try whatIf.price(rules: rules, rates: gstRates, defaultMethod: method, settings: settings) }
            // The ledger's path: built from the chain's state and applied by the state machine.
            let ledger = Result { () throws -> Sale in
                let sale = try builder.buildSale(lines.map { StockLine(sku: $0.0, quantity: $0.1) }, memberID: member,
                                                 redeemPoints: redeem, payment: try payment.payment(), atMs: shop.timeMs,
                                                 state: shop.state)
                try shop.submit(.till, .sale(sale))
                return sale
            }
            switch (quoted, ledger) {
            case (.success(let quote), .success(let sale)):
                var fromQuote = quote.sale
                fromQuote.receiptNumber = sale.receiptNumber
                try #require(POSBody.sale(fromQuote).payloadBytes == POSBody.sale(sale).payloadBytes,
                             "trial \(trial): \(String(decoding: json, as: UTF8.self))\nquote \(fromQuote)\nledger \(sale)")
                if !member.isEmpty {
                    let after = LoyaltyTier(rawValue: try shop.state.memberAccount(member)!.tier)!.name
                    try #require(quote.report.tierAfter == after, "trial \(trial): tier after \(quote.report.tierAfter ?? "-") vs \(after)")
                }
                if !quote.report.appliedRules.isEmpty { withRules += 1 }
                compared += 1
            case (.failure(let quoteError), .failure(let ledgerError)):
                try #require((quoteError as? LedgerRejection)?.code == (ledgerError as? LedgerRejection)?.code,
                             "trial \(trial): quote refused \(quoteError), ledger \(ledgerError)")
                refusedAlike += 1
                refusals[(ledgerError as? LedgerRejection)?.code ?? 0, default: 0] += 1
            default:
                Issue.record("trial \(trial): quote \(quoted), ledger \(ledger)\n\(String(decoding: json, as: UTF8.self))")
                return
            }
        }
        #expect(compared + refusedAlike == 10_000)
        #expect(compared > 8_000 && refusedAlike > 100 && withRules > 4_000, "\(compared) compared, \(refusedAlike) refused (by code: \(refusals.sorted { $0.key < $1.key })), \(withRules) with rules")
    }
}
