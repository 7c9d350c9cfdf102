import SGPOSChain
import SGPOSCodec
import SGPOSContracts
import SGPOSCrypto
import SGPOSRetail

/// The inputs of a sale's pricing that the state may no longer hold when the customer
/// comes back (FORMAT.md §13.3 "sale pricing"): the time, the rules that ran, the
/// member as they stood, the settings' earning, the lines' prices, the points rates and
/// the rules' counters before the sale, and the counter moves still standing. A refund
/// re-prices the kept units against exactly these (``RefundPricing``).
public struct SalePricingRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    /// The most counters one record keeps (more is rule 320 for the sale).
    public static let countersMax = 256

    public struct Line: Hashable, Sendable {
        public var category: String
        public var unitPrice: Int64
        public var priceIncludesGST: Bool
    }

    public struct Counter: Hashable, Sendable {
        public var rule: String
        public var counter: String
        /// The member for a per-member counter, "" for a budget.
        public var member: String
        public var value: Int64

        var key: StateKey { .ruleCounter(rule: rule, counter: counter, member: member) }
    }

    public var timeMs: Int64
    /// The `rule sets` key of the rules that ran.
    public var ruleSet: Hash256
    public var tier: UInt8
    public var lifetimeSpend: Int64
    public var balance: Int64
    public var multiplier: Int64
    public var earning: RetailSettings.EarningMode
    public var pointsPerDollar: Int64
    /// The point value when points redeemed were a discount; 0 when a tender.
    public var pointValueCents: Int64
    public var lines: [Line]
    public var pointRates: [(category: String, rate: Int64)]
    /// Non-zero counter values before the sale, ascending by their state key.
    public var counters: [Counter]
    /// The sale's counter moves still standing (refunds re-price them).
    public var moves: [SaleRuleRecord.CounterMove]
    /// The sale's promotion codes (version 2 of the record, exactly when there are some).
    public var codes: [String] = []

    public init(timeMs: Int64, ruleSet: Hash256, tier: UInt8, lifetimeSpend: Int64, balance: Int64, multiplier: Int64,
                earning: RetailSettings.EarningMode, pointsPerDollar: Int64, pointValueCents: Int64, lines: [Line],
                pointRates: [(category: String, rate: Int64)], counters: [Counter], moves: [SaleRuleRecord.CounterMove],
                codes: [String] = []) {
        self.codes = codes
        self.timeMs = timeMs
        self.ruleSet = ruleSet
        self.tier = tier
        self.lifetimeSpend = lifetimeSpend
        self.balance = balance
        self.multiplier = multiplier
        self.earning = earning
        self.pointsPerDollar = pointsPerDollar
        self.pointValueCents = pointValueCents
        self.lines = lines
        self.pointRates = pointRates
        self.counters = counters
        self.moves = moves
    }

    public static func == (a: Self, b: Self) -> Bool { a.canonicalBytes == b.canonicalBytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(canonicalBytes) }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(codes.isEmpty ? 1 : 2)
        encoder.writeI64(timeMs)
        ruleSet.encode(to: &encoder)
        encoder.writeU8(tier)
        encoder.writeI64(lifetimeSpend)
        encoder.writeI64(balance)
        encoder.writeI64(multiplier)
        encoder.writeU8(Self.earningCode(earning))
        encoder.writeI64(pointsPerDollar)
        encoder.writeI64(pointValueCents)
        encoder.writeCount(lines.count, limit: POSLimits.linesMax)
        for line in lines {
            encoder.writeString(line.category, limit: POSLimits.categoryBytesMax)
            encoder.writeI64(line.unitPrice)
            encoder.writeBool(line.priceIncludesGST)
        }
        encoder.writeCount(pointRates.count, limit: 256)
        for rate in pointRates {
            encoder.writeString(rate.category, limit: POSLimits.categoryBytesMax)
            encoder.writeI64(rate.rate)
        }
        encoder.writeCount(counters.count, limit: Self.countersMax)
        for counter in counters {
            encoder.writeString(counter.rule, limit: POSLimits.ruleBytesMax)
            encoder.writeString(counter.counter, limit: POSLimits.ruleBytesMax)
            encoder.writeString(counter.member, limit: POSLimits.memberIDBytesMax)
            encoder.writeI64(counter.value)
        }
        SaleRuleRecord(rewardPoints: 0, tier: 0, counters: moves).encodeMoves(to: &encoder)
        if !codes.isEmpty { writeCodes(codes, to: &encoder) }
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        let version = try readVersion(&decoder, "sale pricing record", upTo: 2)
        timeMs = try decoder.readI64("time")
        ruleSet = try Hash256(from: &decoder)
        var at = decoder.offset
        tier = try decoder.readU8("tier")
        guard tier <= 5 else { throw .invalidValue("a tier is 0...5", at: at) }
        lifetimeSpend = try decoder.readI64("lifetime spend")
        balance = try decoder.readI64("balance")
        multiplier = try decoder.readI64("multiplier")
        at = decoder.offset
        switch try decoder.readU8("earning") {
        case 1: earning = .automatic
        case 2: earning = .builtInPlusRules
        case 3: earning = .rulesOnly
        default: throw .invalidValue("earning must be 1, 2 or 3", at: at)
        }
        pointsPerDollar = try decoder.readI64("points per dollar")
        pointValueCents = try decoder.readI64("point value")
        var lines: [Line] = []
        for _ in 0..<(try decoder.readCount("pricing lines", limit: POSLimits.linesMax)) {
            lines.append(Line(category: try decoder.readString("category", limit: POSLimits.categoryBytesMax),
                              unitPrice: try decoder.readI64("unit price"),
                              priceIncludesGST: try decoder.readBool("includes GST")))
        }
        self.lines = lines
        var rates: [(category: String, rate: Int64)] = []
        for _ in 0..<(try decoder.readCount("point rates", limit: 256)) {
            rates.append((try decoder.readString("category", limit: POSLimits.categoryBytesMax), try decoder.readI64("rate")))
        }
        pointRates = rates
        var counters: [Counter] = []
        for _ in 0..<(try decoder.readCount("counters", limit: Self.countersMax)) {
            counters.append(Counter(rule: try decoder.readString("counter rule", limit: POSLimits.ruleBytesMax),
                                    counter: try decoder.readString("counter name", limit: POSLimits.ruleBytesMax),
                                    member: try decoder.readString("counter member", limit: POSLimits.memberIDBytesMax),
                                    value: try decoder.readI64("counter value")))
        }
        self.counters = counters
        moves = try SaleRuleRecord.decodeMoves(&decoder)
        if version == 2 {
            let at = decoder.offset
            codes = try readCodes(&decoder)
            guard !codes.isEmpty else { throw .nonCanonical("a version-2 sale pricing record has promotion codes", at: at) }
        }
    }

    static func earningCode(_ earning: RetailSettings.EarningMode) -> UInt8 {
        switch earning {
        case .automatic: 1
        case .builtInPlusRules: 2
        case .rulesOnly: 3
        }
    }
}

extension SaleRuleRecord {
    func encodeMoves(to encoder: inout CanonicalEncoder) {
        encoder.writeCount(counters.count, limit: Self.countersMax)
        for move in counters {
            encoder.writeString(move.rule, limit: POSLimits.ruleBytesMax)
            encoder.writeString(move.counter, limit: POSLimits.ruleBytesMax)
            encoder.writeString(move.member, limit: POSLimits.memberIDBytesMax)
            encoder.writeI64(move.by)
        }
    }

    static func decodeMoves(_ decoder: inout CanonicalDecoder) throws(CodecError) -> [CounterMove] {
        let count = try decoder.readCount("counter moves", limit: Self.countersMax)
        var moves: [CounterMove] = []
        for _ in 0..<count {
            moves.append(CounterMove(
                rule: try decoder.readString("counter rule", limit: POSLimits.ruleBytesMax),
                counter: try decoder.readString("counter name", limit: POSLimits.ruleBytesMax),
                member: try decoder.readString("counter member", limit: POSLimits.memberIDBytesMax),
                by: try decoder.readI64("counter move")))
        }
        return moves
    }
}

extension StateKey {
    public static func ruleSet(_ hash: Hash256) -> StateKey { StateKey(.ruleSets, hash.bytes) }
    public static func ruleSource(_ hash: Hash256) -> StateKey { StateKey(.ruleSources, hash.bytes) }
    public static func salePricing(_ sale: Hash256) -> StateKey { StateKey(.salePricing, sale.bytes) }
}

extension StateReader {
    public func salePricing(_ sale: Hash256) throws -> SalePricingRecord? {
        try record(SalePricingRecord.self, .salePricing(sale))
    }

    /// A rule set's rules as (id, source hash), in the order they ran.
    public func ruleSet(_ hash: Hash256) throws -> [(id: String, source: Hash256)]? {
        guard let bytes = try read(.ruleSet(hash)) else { return nil }
        var decoder = CanonicalDecoder(bytes)
        var rules: [(id: String, source: Hash256)] = []
        for _ in 0..<(try decoder.readCount("rule set", limit: 1_024)) {
            rules.append((try decoder.readString("rule id", limit: 64), try Hash256(from: &decoder)))
        }
        try decoder.finish("rule set")
        return rules
    }

    /// A kept rule source.
    public func ruleSource(_ hash: Hash256) throws -> String? {
        guard let bytes = try read(.ruleSource(hash)) else { return nil }
        var decoder = CanonicalDecoder(bytes)
        let source = try decoder.readString("rule source", limit: DeployRule.sourceBytesMax)
        try decoder.finish("rule source")
        return source
    }
}

extension POSTransition {
    /// What a sale under re-priced returns keeps of its pricing (FORMAT.md §13.5, "Pricing
    /// record"), read from the state before the sale's effects; nil when returns are
    /// proportional or no rule is active. Writes the rule set and sources when absent.
    func capturePricing(_ sale: Sale, settings: RetailSettings, ruleRecord: SaleRuleRecord?,
                        _ state: inout StateOverlay) throws -> SalePricingRecord? {
        guard settings.returns == .reprice, !sale.training else { return nil }
        var active: [(id: String, record: RuleRecord)] = []
        for id in try state.ruleIDs() {
            guard let record = try state.record(RuleRecord.self, .rule(id)), Int64(record.activeFromMs) <= atMs else { continue }
            active.append((id, record))
        }
        guard !active.isEmpty else { return nil }
        var setEncoder = CanonicalEncoder()
        setEncoder.writeCount(active.count, limit: 1_024)
        for rule in active {
            setEncoder.writeString(rule.id, limit: 64)
            rule.record.sourceHash.encode(to: &setEncoder)
        }
        let setHash = Hash256.sha256(setEncoder.bytes)
        if try state.read(.ruleSet(setHash)) == nil { state.put(.ruleSet(setHash), setEncoder.bytes) }
        for rule in active where try state.read(.ruleSource(rule.record.sourceHash)) == nil {
            var encoder = CanonicalEncoder()
            encoder.writeString(rule.record.source, limit: DeployRule.sourceBytesMax)
            state.put(.ruleSource(rule.record.sourceHash), encoder.bytes)
        }
        var tier: UInt8 = 0, lifetime: Int64 = 0, balance: Int64 = 0, multiplier: Int64 = 0
        if !sale.memberID.isEmpty, var account = try state.memberAccount(sale.memberID) {
            account.bringUpToDate(day: SaleCalculator.day(atMs), reviewMonths: settings.tierReviewMonths)
            tier = account.tier
            lifetime = account.lifetimeSpend
            balance = account.balance
            multiplier = try state.memberMultiplier(sale.memberID)
        }
        var rates: [(category: String, rate: Int64)] = []
        let categories = Set(sale.lines.map(\.category)).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for category in categories {
            if let rate = try state.pointRate(category: category) { rates.append((category, rate)) }
        }
        var counters: [SalePricingRecord.Counter] = []
        var seen: Set<StateKey> = []
        for rule in active {
            let compiled = try RuleCache.shared.compiled(rule.record)
            let declared = compiled.rule.memberCounters.map { ($0.name, sale.memberID) } + compiled.rule.budgets.map { ($0.name, "") }
            for (name, member) in declared {
                let counter = SalePricingRecord.Counter(
                    rule: rule.id, counter: name, member: member,
                    value: try state.ruleCounter(rule: rule.id, counter: name, member: member))
                guard counter.value != 0, seen.insert(counter.key).inserted else { continue }
                guard counters.count < SalePricingRecord.countersMax else {
                    throw reject(.pricingRefused, "the active rules' counters exceed \(SalePricingRecord.countersMax); a sale under re-priced returns keeps at most \(SalePricingRecord.countersMax)")
                }
                counters.append(counter)
            }
        }
        counters.sort { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }
        return SalePricingRecord(
            timeMs: atMs, ruleSet: setHash, tier: tier, lifetimeSpend: lifetime, balance: balance, multiplier: multiplier,
            earning: settings.earning, pointsPerDollar: settings.pointsPerDollar,
            pointValueCents: settings.redemptionIsTender ? 0 : settings.pointValueCents,
            lines: sale.lines.map { .init(category: $0.category, unitPrice: $0.unitPrice, priceIncludesGST: $0.priceIncludesGST) },
            pointRates: rates, counters: counters, moves: ruleRecord?.counters ?? [], codes: sale.codes)
    }
}
