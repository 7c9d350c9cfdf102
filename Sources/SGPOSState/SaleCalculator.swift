import SGPOSChain
import SGPOSCodec
import SGPOSContracts
import SGPOSRetail

/// Prices a sale from the outlet's price list and the member's account: the one code
/// path of the quote command, the till and the state machine. The state machine accepts
/// a signed sale only if it equals what this produces from the same inputs.
public struct SaleCalculator: Sendable {
    public let outlet: UInt32
    public let settings: RetailSettings
    public let engine: PricingEngine
    public let method: GSTMethod

    public init(genesis: Genesis, outlet: UInt32, settings: RetailSettings) throws(LedgerRejection) {
        self.outlet = outlet
        self.settings = settings
        var entries: [GSTRateTable.Entry] = []
        for rate in genesis.gstRates {
            guard let date = CivilTime.Date(iso: rate.effectiveFrom) else {
                throw reject(.pricingRefused, "genesis GST rate date \(rate.effectiveFrom) is not a date")
            }
            entries.append(.init(effectiveFrom: date, basisPoints: Int64(rate.basisPoints)))
        }
        do {
            engine = PricingEngine(rates: try GSTRateTable(entries: entries))
        } catch {
            throw reject(.pricingRefused, error.message)
        }
        method = genesis.gstMethod == .perLine ? .perLine : .perInvoice
    }

    /// A calculator with a rate table and method given directly (what-if quotes).
    public init(rates: GSTRateTable, method: GSTMethod, outlet: UInt32, settings: RetailSettings) {
        self.outlet = outlet
        self.settings = settings
        engine = PricingEngine(rates: rates)
        self.method = method
    }

    /// What the customer is asked to pay, before tenders.
    public struct PricedBasket: Sendable {
        public let quote: Quote
        /// The member's tier for earning (nil without a member).
        public let tier: LoyaltyTier?
        public let memberID: String
        /// With deployed rules: the points they award (replacing the built-in rule), a
        /// tier they set, and the counters they increment.
        public var rulePoints: Int64? = nil
        public var tierChange: UInt8? = nil
        public var counterIncrements: [(rule: String, counter: String, member: String, by: Int64)] = []
        /// Points the rules take for rewards (`redeem_points`), besides `redeemPoints`.
        public var rewardPoints: Int64 = 0
        /// Rules that had an effect, in the order they ran, then any other discount's
        /// rule (points redeemed as a discount: `loyalty-points`), each once.
        public var appliedRules: [String] = []
        /// Rules that did not apply and said why (`skip("…")`), in the order they ran.
        public var skippedRules: [(rule: String, reason: String)] = []
        /// The promotion codes keyed in (the rules read them with `has_code`).
        public var codes: [String] = []
        /// The codes keyed in that are coupons, with their campaigns, in the order keyed.
        public var coupons: [(code: String, campaign: String)] = []
        /// The applied rules with a `coupon` or `issues` header, in the order they ran.
        public var couponRules: [CouponRule] = []
    }

    /// What an applied rule does with coupons: uses one of `coupon`'s campaign, issues one.
    public struct CouponRule: Sendable {
        public var coupon: String?
        public var issues: (campaign: String, days: Int64)?
    }

    /// Prices `lines` (SKU and quantity) at `atMs` for `memberID` (or "") redeeming
    /// `redeemPoints`. Unknown SKUs, unknown members and points beyond the balance are
    /// refused with the reason. `keptPart` prices the kept units of a sale for a re-priced
    /// return (FORMAT.md §13.5): the points redeemed are a discount of at most what is
    /// left to pay, and the balance is not checked again.
    public func price(
        lines: [StockLine], memberID: String, redeemPoints: Int64, atMs: Int64, state: some StateReader,
        codes: [String] = [], keptPart: Bool = false, keptCoupons: [(code: String, campaign: String)] = []
    ) throws -> PricedBasket {
        guard !lines.isEmpty, lines.count <= POSLimits.linesMax else {
            throw reject(.invalidField, "a sale needs 1...\(POSLimits.linesMax) lines, got \(lines.count)")
        }
        var basketLines: [BasketLine] = []
        basketLines.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            guard let price = try state.priceRecord(outlet: outlet, sku: line.sku), price.active else {
                throw reject(.unknownSKU, "line \(index + 1): SKU \"\(line.sku)\" is not on outlet \(outlet)'s price list")
            }
            guard (1...POSLimits.quantityMax).contains(line.quantity) else {
                throw reject(.invalidField, "line \(index + 1) (\(line.sku)): quantity \(line.quantity) must be 1...\(POSLimits.quantityMax)")
            }
            basketLines.append(BasketLine(
                sku: line.sku, category: price.category, quantity: line.quantity,
                unitPrice: try money(price.unitPrice), priceIncludesGST: price.priceIncludesGST,
                taxCategory: price.taxCategory))
        }
        var tier: LoyaltyTier?
        var customer = ContractInput.Customer.guest
        if !memberID.isEmpty {
            guard var account = try state.memberAccount(memberID) else {
                throw reject(.unknownMember, "member \"\(memberID)\" is not enrolled")
            }
            account.bringUpToDate(day: SaleCalculator.day(atMs), reviewMonths: settings.tierReviewMonths)
            tier = LoyaltyTier(rawValue: account.tier) ?? .bronze
            customer = .init(id: memberID, isMember: true, tier: account.tier, lifetimeSpend: account.lifetimeSpend,
                             points: account.balance, multiplier: try state.memberMultiplier(memberID))
            guard keptPart || redeemPoints <= account.balance else {
                throw reject(.insufficientPoints, "member \"\(memberID)\" has \(account.balance) points; \(redeemPoints) cannot be redeemed")
            }
        }
        guard redeemPoints >= 0 else { throw reject(.invalidField, "redeemed points must not be negative") }
        guard redeemPoints == 0 || !memberID.isEmpty else {
            throw reject(.unknownMember, "points can only be redeemed by a member")
        }
        let rules = try state.activeRules(atMs: atMs)
        let coupons = keptPart ? keptCoupons
            : try SaleCalculator.checkCodes(codes, rules: rules, memberID: memberID, day: SaleCalculator.day(atMs), state: state)
        var ruleOutcome = RuleEffects()
        if !rules.isEmpty {
            ruleOutcome = try applyRules(rules, to: &basketLines, customer: customer, atMs: atMs, codes: codes,
                                         coupons: coupons.map(\.campaign), state: state)
            guard keptPart || redeemPoints <= customer.points - ruleOutcome.redeemed else {
                throw reject(.insufficientPoints, "member \"\(memberID)\" has \(customer.points) points; rewards take \(ruleOutcome.redeemed), so \(redeemPoints) more cannot be redeemed")
            }
        }
        let redemption = redeemPoints == 0 ? nil : PointsRedemption(
            points: redeemPoints, pointValueCents: settings.pointValueCents,
            treatment: settings.redemptionIsTender ? .tender : .discount, upToNet: keptPart)
        let basket = Basket(atEpochMs: atMs, method: method, lines: basketLines, redemption: redemption)
        do {
            var priced = PricedBasket(quote: try engine.quote(basket), tier: tier, memberID: memberID)
            if !rules.isEmpty {
                priced.rulePoints = ruleOutcome.points
                priced.tierChange = ruleOutcome.tier
                priced.counterIncrements = ruleOutcome.increments
                priced.rewardPoints = ruleOutcome.redeemed
            }
            priced.appliedRules = ruleOutcome.applied + priced.quote.appliedRules.filter { !ruleOutcome.applied.contains($0) }
            priced.skippedRules = ruleOutcome.skipped
            priced.codes = codes
            priced.coupons = coupons
            priced.couponRules = ruleOutcome.couponRules
            return priced
        } catch {
            throw reject(.pricingRefused, "code \(error.code): \(error.message)")
        }
    }

    /// The sale the state machine expects for a priced basket and the tenders offered:
    /// cash rounding, points earned, and every figure of the receipt.
    public func sale(_ priced: PricedBasket, receiptNumber: UInt64, training: Bool, tenders: [Tender]) throws -> Sale {
        let quote = priced.quote
        let hasCash = tenders.contains { $0.kind == .cash }
        let rounding = settings.cashRounding && hasCash ? CashRounding.adjustment(for: quote.amountDue).cents : 0
        let eligible = quote.amountDue.cents + rounding
        let builtIn = priced.tier.map {
            PointsEarning(pointsPerDollar: settings.pointsPerDollar).points(paid: (try? Money(cents: eligible)) ?? .zero, tier: $0)
        } ?? 0
        // Members only, not in training: the settings say where points come from.
        let earned: Int64
        if training || priced.tier == nil {
            earned = 0
        } else {
            switch settings.earning {
            case .automatic: earned = priced.rulePoints ?? builtIn
            case .builtInPlusRules: earned = builtIn + (priced.rulePoints ?? 0)
            case .rulesOnly: earned = priced.rulePoints ?? 0
            }
        }
        let lines = quote.lines.map { line in
            SaleLine(sku: line.sku, category: line.category, quantity: line.quantity, unitPrice: line.unitPrice.cents,
                     priceIncludesGST: line.priceIncludesGST, taxCategory: line.taxCategory,
                     discounts: line.discounts.map { LineDiscount(rule: $0.rule, amount: $0.amount.cents) },
                     net: line.net.cents, gst: line.gst.cents)
        }
        return Sale(
            receiptNumber: receiptNumber, training: training, memberID: priced.memberID, lines: lines,
            gstBasisPoints: UInt32(quote.gstBasisPoints), subtotal: quote.subtotal.cents, discount: quote.discount.cents,
            gst: quote.gst.cents, total: quote.total.cents, rounding: rounding, pointsRedeemed: quote.pointsRedeemed,
            pointsEarned: earned, tenders: tenders, ruleRecord: try SaleCalculator.ruleRecord(priced, training: training),
            skipped: training ? [] : priced.skippedRules.prefix(SkippedRule.perSaleMax).map {
                SkippedRule(rule: $0.rule, reason: SkippedRule.recorded($0.reason))
            }, codes: priced.codes)
    }

    /// The sale's rule record (FORMAT.md §13.4 step 4): none for a training sale (its
    /// rules change nothing); the rewards' points and the rules' tier for a member only;
    /// counter moves summed per (rule, counter, member) in the order first moved. More than
    /// ``SaleRuleRecord/countersMax`` of them, or a counter name over 64 bytes, is 320.
    static func ruleRecord(_ priced: PricedBasket, training: Bool) throws -> SaleRuleRecord? {
        guard !training else { return nil }
        var moves: [SaleRuleRecord.CounterMove] = []
        for increment in priced.counterIncrements {
            if let index = moves.firstIndex(where: { $0.rule == increment.rule && $0.counter == increment.counter && $0.member == increment.member }) {
                let (sum, overflow) = moves[index].by.addingReportingOverflow(increment.by)
                guard !overflow else { throw reject(.pricingRefused, "counter \(increment.counter) of rule \(increment.rule) overflows") }
                moves[index].by = sum
            } else {
                guard increment.counter.utf8.count <= POSLimits.ruleBytesMax else {
                    throw reject(.pricingRefused, "counter \(increment.counter) of rule \(increment.rule): a counter name over \(POSLimits.ruleBytesMax) bytes cannot be recorded")
                }
                // Checked as each move is added, so the search above stays within the cap.
                guard moves.count < SaleRuleRecord.countersMax else {
                    throw reject(.pricingRefused, "the rules moved more than \(SaleRuleRecord.countersMax) counters; a sale records at most \(SaleRuleRecord.countersMax)")
                }
                moves.append(.init(rule: increment.rule, counter: increment.counter, member: increment.member, by: increment.by))
            }
        }
        let member = !priced.memberID.isEmpty
        let record = SaleRuleRecord(rewardPoints: member ? priced.rewardPoints : 0, tier: member ? priced.tierChange ?? 0 : 0, counters: moves)
        return record.isEmpty ? nil : record
    }

    /// Promotion codes (FORMAT.md §13.4 step 4): at most 8, each 1–32 printable ASCII
    /// bytes without spaces, none twice, each named by an active rule's `has_code` or else
    /// a coupon in the state, unused, valid on `day` and for this member. Returns the
    /// coupons, with their campaigns, in the order keyed.
    public static func checkCodes(_ codes: [String], rules: [CompiledRule], memberID: String, day: Int64,
                                  state: some StateReader) throws -> [(code: String, campaign: String)] {
        guard codes.count <= Sale.codesMax else {
            throw reject(.invalidField, "\(codes.count) promotion codes; a sale takes at most \(Sale.codesMax)")
        }
        var seen: Set<[UInt8]> = []
        var coupons: [(code: String, campaign: String)] = []
        for code in codes {
            guard CompiledRule.isCode(code) else {
                throw reject(.invalidField, "promotion code \"\(code)\" must be 1-32 printable ASCII characters without spaces")
            }
            guard seen.insert(Array(code.utf8)).inserted else { throw reject(.invalidField, "promotion code \(code) is keyed in twice") }
        }
        // Then, in the order keyed: a promotion code, or else a coupon that may be used now.
        for code in codes {
            if rules.contains(where: { $0.codes.contains { Array($0.utf8) == Array(code.utf8) } }) { continue }
            guard let coupon = try state.coupon(code: code) else {
                throw reject(.invalidField, "promotion code \(code) is not accepted by any active rule, nor a coupon of this outlet")
            }
            guard !coupon.isUsed else { throw reject(.voucherAlreadyRedeemed, "coupon \(code) was used already (transaction \(coupon.usedBy))") }
            guard coupon.validFrom <= day, day <= coupon.validUntil else {
                throw reject(.invalidField, "coupon \(code) is valid from day \(coupon.validFrom) to day \(coupon.validUntil), not on day \(day)")
            }
            guard coupon.memberID.isEmpty || coupon.memberID == memberID else {
                throw reject(.invalidField, "coupon \(code) is for another member")
            }
            coupons.append((code, coupon.campaign))
        }
        return coupons
    }

    /// What a sale adds to the member's lifetime spend: the amount paid, less points paid
    /// as a tender.
    public static func eligibleSpend(_ sale: Sale, _ priced: PricedBasket) -> Int64 {
        sale.amountPayable - priced.quote.pointsTender.cents
    }

    /// The tier a member has after a sale: the tier of the new lifetime spend, or the
    /// rules' tier when higher.
    public static func tier(lifetimeSpend: Int64, ruleTier: UInt8?) throws -> UInt8 {
        max(LoyaltyTier.forLifetimeSpend(try Money(cents: lifetimeSpend)).rawValue, ruleTier ?? 0)
    }

    /// The day `months` months after `day`: the same day of the month, or the month's last
    /// day when it is shorter (FORMAT.md §13.3, tier review's `add`).
    public static func addMonths(day: Int64, months: Int64) -> Int64 {
        let date = CivilTime.date(fromDays: day)
        let target = date.year * 12 + (date.month - 1) + months
        let first = CivilTime.days(from: CivilTime.Date(year: target / 12, month: target % 12 + 1, day: 1))
        let last = CivilTime.days(from: CivilTime.Date(year: (target + 1) / 12, month: (target + 1) % 12 + 1, day: 1)) - 1
        return Swift.min(first + date.day - 1, last)
    }

    /// Singapore calendar day (days since 1970-01-01) of a time.
    public static func day(_ atMs: Int64) -> Int64 { CivilTime.days(from: CivilTime.singaporeDate(epochMs: atMs)) }

    /// Last day on which points earned at `atMs` may be used: the end of the month
    /// `months` months later.
    public static func expiryDay(earnedAtMs atMs: Int64, months: Int64, rounding: RetailSettings.ExpiryRounding = .endOfMonth) -> Int64 {
        let date = CivilTime.singaporeDate(epochMs: atMs)
        let target = date.year * 12 + (date.month - 1) + months  // the month `months` on, from 0 = January of year 0
        // The last day of the month with index `index`: the day before the next month's first.
        func lastDay(ofMonthIndex index: Int64) -> Int64 {
            CivilTime.days(from: CivilTime.Date(year: (index + 1) / 12, month: (index + 1) % 12 + 1, day: 1)) - 1
        }
        switch rounding {
        case .day: return addMonths(day: CivilTime.days(from: date), months: months)
        case .endOfMonth: return lastDay(ofMonthIndex: target)
        case .endOfQuarter: return lastDay(ofMonthIndex: target - target % 3 + 2)
        case .endOfYear: return lastDay(ofMonthIndex: target - target % 12 + 11)
        }
    }

    private func money(_ value: Int64) throws(LedgerRejection) -> Money {
        do { return try Money(cents: value) } catch { throw reject(.pricingRefused, error.message) }
    }
}

/// What the active rules did to a basket.
public struct RuleEffects: Sendable {
    /// Points the rules award (they replace the built-in earning rule).
    public var points: Int64 = 0
    /// The highest tier a rule set, if any.
    public var tier: UInt8?
    /// Points the rules take for rewards (`redeem_points`).
    public var redeemed: Int64 = 0
    public var increments: [(rule: String, counter: String, member: String, by: Int64)] = []
    /// Rules that produced at least one effect, in the order they ran.
    public var applied: [String] = []
    /// Rules that skipped with a reason (`skip("limit reached")`), in the order they ran:
    /// what the till tells the customer about a promotion that did not apply.
    public var skipped: [(rule: String, reason: String)] = []
    /// Applied rules with a `coupon` or `issues` header, in the order they ran.
    public var couponRules: [SaleCalculator.CouponRule] = []
}

/// How a rule set's result lands on a basket: the one implementation used by the quote
/// command, the till and the state machine (docs/CONTRACTS.md §4).
public enum RulePricing {
    /// The most points the rules may award, and the most they may redeem, for one sale
    /// (FORMAT.md §13.4 step 4): a sum beyond it is refused, never wrapped or trapped.
    public static let pointsMax: Int64 = 1_000_000_000

    /// A rule's own `fail(code)` refuses the basket (for example a reward asked for but
    /// not allowed); a runtime error in a rule only drops that rule.
    public static func refusal(in result: RuleSet.Result) -> LedgerRejection? {
        for (id, outcome) in result.outcomes {
            if case .failed(let error, _) = outcome, error.code >= 1_000 {
                return reject(.contractRefused, "rule \(id) refused the basket with its code \(error.code)")
            }
        }
        return nil
    }

    /// Puts `result`'s effects on `lines`: line discounts on their lines, basket discounts
    /// spread over the lines by what is left of each (largest remainder); points, tier,
    /// rewards and counters are returned.
    public static func apply(
        _ result: RuleSet.Result, rules: [CompiledRule], to lines: inout [BasketLine], memberID: String
    ) throws(LedgerRejection) -> RuleEffects {
        if let refusal = refusal(in: result) { throw refusal }
        var effects = RuleEffects()
        for (id, outcome) in result.outcomes {
            if case .skipped(_, let reason?) = outcome { effects.skipped.append((id, reason)) }
            if case .applied = outcome, let rule = rules.first(where: { $0.id == id })?.rule, rule.coupon != nil || rule.issues != nil {
                effects.couponRules.append(.init(coupon: rule.coupon, issues: rule.issues))
            }
        }
        var nets: [Int64] = []
        for line in lines {
            let (gross, overflow) = line.unitPrice.cents.multipliedReportingOverflow(by: line.quantity)
            guard !overflow else { throw reject(.pricingRefused, "line \(line.sku) overflows") }
            nets.append(gross - line.discount.cents)
        }
        for (id, effect) in result.effects {
            if !effects.applied.contains(id) { effects.applied.append(id) }
            switch effect {
            case .lineDiscount(let line, let amount, _):
                lines[line].discounts.append(AppliedDiscount(rule: id, amount: try money(amount)))
                nets[line] -= amount
            case .basketDiscount(let amount, _):
                let parts: [Money]
                do { parts = try GSTCalculator.allocate(try money(amount), over: nets) } catch { throw reject(.pricingRefused, "\(error)") }
                for (index, part) in parts.enumerated() where part.cents > 0 {
                    lines[index].discounts.append(AppliedDiscount(rule: id, amount: part))
                    nets[index] -= part.cents
                }
            case .awardPoints(let points, _):
                guard points <= RulePricing.pointsMax - effects.points else {
                    throw reject(.pricingRefused, "the rules award more than \(RulePricing.pointsMax) points for one sale")
                }
                effects.points += points
            case .redeemPoints(let points, _):
                guard points <= RulePricing.pointsMax - effects.redeemed else {
                    throw reject(.pricingRefused, "the rules redeem more than \(RulePricing.pointsMax) points for one sale")
                }
                effects.redeemed += points
            case .setTier(let tier):
                effects.tier = max(effects.tier ?? 0, tier)
            case .increment(let counter, let by):
                let perMember = rules.first { $0.id == id }?.rule.memberCounters.contains { $0.name == counter } ?? false
                effects.increments.append((id, counter, perMember ? memberID : "", by))
            }
        }
        for line in lines where line.discounts.count > AppliedDiscount.perLineMax {
            throw reject(.pricingRefused, "line \(line.sku) has more than \(AppliedDiscount.perLineMax) discounts")
        }
        return effects
    }

    private static func money(_ value: Int64) throws(LedgerRejection) -> Money {
        do { return try Money(cents: value) } catch { throw reject(.pricingRefused, error.message) }
    }
}

extension SaleCalculator {
    /// Runs the active rules (docs/CONTRACTS.md §4) on the basket's lines with the
    /// counters, points rates and multiplier from the state, and puts their effects on it.
    func applyRules(_ rules: [CompiledRule], to lines: inout [BasketLine], customer: ContractInput.Customer, atMs: Int64,
                    codes: [String], coupons: [String], state: some StateReader) throws -> RuleEffects {
        // Step 3 (FORMAT.md §13.4): the GST rate of the sale's Singapore date, which the
        // rules see on every standard-rated line.
        let gstRate: Int64
        do { gstRate = try engine.rates.basisPoints(on: CivilTime.singaporeDate(epochMs: atMs)) } catch {
            throw reject(.pricingRefused, error.message)
        }
        var input: [ContractInput.Line] = []
        for line in lines {
            let (gross, overflow) = line.unitPrice.cents.multipliedReportingOverflow(by: line.quantity)
            guard !overflow else { throw reject(.pricingRefused, "line \(line.sku) overflows") }
            input.append(.init(sku: line.sku, category: line.category, quantity: line.quantity, unitPrice: line.unitPrice.cents, net: gross,
                               tax: line.taxCategory.code, includesGST: line.priceIncludesGST, gstRate: gstRate))
        }
        var counters: [String: [String: Int64]] = [:]
        for rule in rules {
            for counter in rule.rule.memberCounters {
                counters[rule.id, default: [:]][counter.name] = try state.ruleCounter(rule: rule.id, counter: counter.name, member: customer.id)
            }
            for counter in rule.rule.budgets {
                counters[rule.id, default: [:]][counter.name] = try state.ruleCounter(rule: rule.id, counter: counter.name, member: "")
            }
        }
        var contractInput = ContractInput(lines: input, customer: customer, timeMs: atMs, outlet: Int64(outlet))
        contractInput.codes = codes
        contractInput.coupons = coupons
        for category in Set(input.map(\.category)).sorted() {
            if let rate = try state.pointRate(category: category) { contractInput.pointRates[category] = rate }
        }
        let result = RuleSet(rules).evaluate(contractInput, counters: counters)
        return try RulePricing.apply(result, rules: rules, to: &lines, memberID: customer.id)
    }
}
