import SGPOSChain
import SGPOSRetail
import SGPOSState

/// A basket priced against made-up ledger values (`sgpos quote`): each line brings its own
/// price, the member its own tier, spend, points and counters. They are put into a
/// ``WhatIfState`` and priced by the same ``SaleBuilder`` the ledger uses, so the quote is
/// the sale the state machine would record for a ledger holding those values.
public struct WhatIfBasket: Codable, Sendable {
    public struct Line: Codable, Sendable {
        public var sku: String
        public var category: String?
        public var qty: Int64
        public var unitPrice: String
        public var priceIncludesGst: Bool?
        /// GST treatment code SR, ZR, ES or OS (default SR).
        public var taxCategory: String?
    }

    /// A rule counter's current value (docs/CONTRACTS.md): per member under `member`, a
    /// budget shared by every customer under `budgets`.
    public struct Counter: Codable, Sendable {
        public var rule: String
        public var counter: String
        public var value: Int64
    }

    public struct Member: Codable, Sendable {
        public var id: String
        /// bronze … diamond; without it, the tier of `lifetimeSpend`.
        public var tier: String?
        public var lifetimeSpend: String?
        /// Points spendable at `at`.
        public var points: Int64?
        /// Personal points multiplier in basis points (default 10000 = 1.0×).
        public var multiplierBps: Int64?
        public var counters: [Counter]?
    }

    /// RFC 3339 time of the sale (the block time it would get).
    public var at: String
    /// The outlet selling (rules see it as `outlet`); default 1.
    public var outlet: UInt32?
    public var gstMethod: String?
    public var lines: [Line]
    public var member: Member?
    public var redeemPoints: Int64?
    /// Points rates by category in basis points, as an operator set them on chain.
    public var pointRates: [String: Int64]?
    public var budgets: [Counter]?
    /// How the customer pays; without it, a card (no cash rounding).
    public var payment: PaymentRequest?
}

/// What `sgpos quote` prints: the priced basket and the sale it becomes. Money as decimal
/// strings with two decimals.
public struct WhatIfQuote: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        public var sku, category: String
        /// SR, ZR, ES or OS.
        public var taxCategory: String
        public var qty: Int64
        public var unitPrice, gross, discount, net, gst, total: String
    }
    public var at: String
    public var outlet: UInt32
    public var taxDate: String
    public var gstMethod: String
    public var gstBasisPoints: Int64
    public var subtotal, discount, gst, total: String
    /// Paid with points when they are a tender, and what is left to pay.
    public var pointsTender, amountDue: String
    /// Cash rounding (5 cents) when the payment is cash, and what the customer pays.
    public var rounding, amountPayable: String
    /// IRAS: a simplified tax invoice may be issued when the total is at most S$1,000.
    public var invoiceType: String
    public var lines: [Line]
    public var pointsEarned: Int64
    public var pointsRedeemed: Int64
    /// Points the rules take for rewards, besides `pointsRedeemed`.
    public var pointsForRewards: Int64
    /// The member's tier for this sale, and the tier the ledger records after it.
    public var tier: String?
    public var tierAfter: String?
    public var appliedRules: [String]
    /// Rules that did not apply and said why (`skip("…")`), in the order they ran.
    public var skippedRules: [SkippedRule]

    public struct SkippedRule: Codable, Sendable, Equatable {
        public var rule: String
        public var reason: String
    }
}

extension WhatIfBasket {
    /// Prices the basket with `rules` deployed (active from the epoch), GST from `rates`
    /// and `defaultMethod` (unless the basket names a method) and `settings`.
    public func quote(rules: [DeployRule], rates: GSTRateTable, defaultMethod: GSTMethod,
                      settings: RetailSettings) throws -> WhatIfQuote {
        try price(rules: rules, rates: rates, defaultMethod: defaultMethod, settings: settings).report
    }

    /// ``quote(rules:rates:defaultMethod:settings:)`` with the sale body it reports on
    /// (receipt number 1), as the till would sign it.
    public func price(rules: [DeployRule], rates: GSTRateTable, defaultMethod: GSTMethod,
                      settings: RetailSettings) throws -> (report: WhatIfQuote, sale: Sale) {
        let method: GSTMethod
        if let gstMethod {
            guard let parsed = GSTMethod(rawValue: gstMethod) else {
                throw RequestError("gstMethod must be \"per-line\" or \"per-invoice\", got \"\(gstMethod)\"")
            }
            method = parsed
        } else {
            method = defaultMethod
        }
        let atMs: Int64
        do { atMs = try CivilTime.parse(at) } catch { throw RequestError("at: \(error.message)") }
        let outlet = self.outlet ?? 1
        var state = WhatIfState(settings: settings)
        var prices: [String: (String, Int64, Bool, TaxCategory)] = [:]
        for (index, line) in lines.enumerated() {
            let price: Int64
            do { price = try Money(decimal: line.unitPrice).cents } catch {
                throw RequestError("line \(index + 1) (\(line.sku)): unitPrice: \(error.message)")
            }
            guard let tax = TaxCategory(code: line.taxCategory ?? "SR") else {
                throw RequestError("line \(index + 1) (\(line.sku)): taxCategory must be SR, ZR, ES or OS")
            }
            let entry = (line.category ?? "", price, line.priceIncludesGst ?? true, tax)
            if let earlier = prices[line.sku], earlier != entry {
                throw RequestError("line \(index + 1) (\(line.sku)): an earlier line has this SKU at another price or category")
            }
            prices[line.sku] = entry
            state.setPrice(outlet: outlet, sku: line.sku, category: entry.0, unitPrice: entry.1, priceIncludesGST: entry.2,
                           taxCategory: entry.3)
        }
        for (category, rate) in pointRates ?? [:] {
            guard (0...POSLimits.pointRateBasisPointsMax).contains(rate) else {
                throw RequestError("pointRates.\(category) must be 0...\(POSLimits.pointRateBasisPointsMax) basis points, got \(rate)")
            }
            state.setPointRate(category: category, basisPoints: rate)
        }
        for rule in rules {
            do { try state.deploy(rule) } catch { throw RequestError("a rule does not deploy: \(error)") }
        }
        for budget in budgets ?? [] {
            state.setCounter(rule: budget.rule, counter: budget.counter, member: "", value: budget.value)
        }
        var tier: LoyaltyTier?
        if let member {
            let spend: Int64
            do { spend = try Money(decimal: member.lifetimeSpend ?? "0.00").cents } catch {
                throw RequestError("member.lifetimeSpend: \(error.message)")
            }
            let points = member.points ?? 0
            guard points >= 0 else { throw RequestError("member.points must not be negative, got \(points)") }
            if let name = member.tier {
                guard let named = LoyaltyTier(name: name) else {
                    throw RequestError("member.tier must be one of \(LoyaltyTier.allCases.map(\.name).joined(separator: ", ")), got \"\(name)\"")
                }
                tier = named
            } else {
                tier = LoyaltyTier.forLifetimeSpend(try Money(cents: spend))
            }
            state.setMember(member.id, tier: tier!.rawValue, lifetimeSpend: spend, points: points, pointsExpireOn: .max)
            if let multiplier = member.multiplierBps {
                guard (0...POSLimits.pointRateBasisPointsMax).contains(multiplier) else {
                    throw RequestError("member.multiplierBps must be 0...\(POSLimits.pointRateBasisPointsMax), got \(multiplier)")
                }
                state.setMultiplier(member.id, basisPoints: multiplier)
            }
            for counter in member.counters ?? [] {
                state.setCounter(rule: counter.rule, counter: counter.counter, member: member.id, value: counter.value)
            }
        }
        let payment = try self.payment?.payment()
            ?? .card(terminalID: "quote", approvalCode: "quote", rrn: "quote", maskedPAN: "quote", scheme: "quote")
        let builder = SaleBuilder(taxes: .table(rates, method), outlet: outlet, principal: "")
        let (priced, sale) = try builder.priceSale(
            lines.map { StockLine(sku: $0.sku, quantity: $0.qty) }, memberID: member?.id ?? "",
            redeemPoints: redeemPoints ?? 0, payment: payment, atMs: atMs, state: state)
        var tierAfter: LoyaltyTier?
        if let member, !sale.training {
            let spend = try Money(decimal: member.lifetimeSpend ?? "0.00").cents + SaleCalculator.eligibleSpend(sale, priced)
            tierAfter = LoyaltyTier(rawValue: try SaleCalculator.tier(lifetimeSpend: spend, ruleTier: priced.tierChange))
        }
        return (WhatIfQuote(at: at, outlet: outlet, priced: priced, sale: sale, tierAfter: tierAfter), sale)
    }
}

extension WhatIfQuote {
    /// The report of a priced basket and the sale built from it.
    public init(at: String, outlet: UInt32, priced: SaleCalculator.PricedBasket, sale: Sale, tierAfter: LoyaltyTier?) {
        let quote = priced.quote
        self.at = at
        self.outlet = outlet
        taxDate = quote.taxDate.description
        gstMethod = quote.method.rawValue
        gstBasisPoints = quote.gstBasisPoints
        subtotal = quote.subtotal.decimal
        discount = quote.discount.decimal
        gst = quote.gst.decimal
        total = quote.total.decimal
        pointsTender = quote.pointsTender.decimal
        amountDue = quote.amountDue.decimal
        rounding = Money.format(sale.rounding)
        amountPayable = Money.format(sale.amountPayable)
        invoiceType = quote.allowsSimplifiedInvoice ? "simplified" : "full"
        lines = quote.lines.map {
            Line(sku: $0.sku, category: $0.category, taxCategory: $0.taxCategory.code, qty: $0.quantity, unitPrice: $0.unitPrice.decimal, gross: $0.gross.decimal,
                 discount: $0.discount.decimal, net: $0.net.decimal, gst: $0.gst.decimal, total: $0.total.decimal)
        }
        pointsEarned = sale.pointsEarned
        pointsRedeemed = quote.pointsRedeemed
        pointsForRewards = priced.rewardPoints
        tier = priced.tier?.name
        self.tierAfter = tierAfter?.name
        appliedRules = priced.appliedRules
        skippedRules = priced.skippedRules.map { SkippedRule(rule: $0.rule, reason: $0.reason) }
    }
}
