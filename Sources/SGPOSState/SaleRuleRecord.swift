import SGPOSCodec

/// A promotion that did not apply to a sale, and why (the rule's `skip("…")` reason, cut
/// to ``reasonBytesMax`` bytes on a character boundary).
public struct SkippedRule: Hashable, Sendable {
    public static let reasonBytesMax = 128
    /// The most a sale records; later ones are left out.
    public static let perSaleMax = 64
    public var rule: String
    public var reason: String

    public init(rule: String, reason: String) {
        self.rule = rule
        self.reason = reason
    }

    /// `reason`'s longest prefix of at most ``reasonBytesMax`` UTF-8 bytes that ends on a
    /// whole character (Unicode scalar).
    public static func recorded(_ reason: String) -> String {
        guard reason.utf8.count > reasonBytesMax else { return reason }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in reason.unicodeScalars {
            let size = String(scalar).utf8.count
            guard bytes + size <= reasonBytesMax else { break }
            kept.append(scalar)
            bytes += size
        }
        return String(kept)
    }
}

/// What a sale's deployed rules did that its lines and points earned do not show, so an
/// auditor can total the sale without re-running the rules (FORMAT.md §13.2, sale
/// version 3): the points rewards took from the member (`redeem_points`), the tier the
/// rules set, and the counters they moved, summed per counter in the order first moved.
public struct SaleRuleRecord: Hashable, Sendable {
    public static let countersMax = 256
    /// Points the rules redeemed for rewards (members only; 0 otherwise).
    public var rewardPoints: Int64
    /// The highest tier a rule set for the member, 0 when none did.
    public var tier: UInt8
    public var counters: [CounterMove]

    public struct CounterMove: Hashable, Sendable {
        public var rule: String
        public var counter: String
        /// The member for a per-member counter, "" for a budget.
        public var member: String
        public var by: Int64

        public init(rule: String, counter: String, member: String, by: Int64) {
            self.rule = rule
            self.counter = counter
            self.member = member
            self.by = by
        }
    }

    public init(rewardPoints: Int64, tier: UInt8, counters: [CounterMove]) {
        self.rewardPoints = rewardPoints
        self.tier = tier
        self.counters = counters
    }

    public var isEmpty: Bool { rewardPoints == 0 && tier == 0 && counters.isEmpty }

    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeI64(rewardPoints)
        encoder.writeU8(tier)
        encodeMoves(to: &encoder)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        rewardPoints = try decoder.readI64("reward points")
        let at = decoder.offset
        tier = try decoder.readU8("rule tier")
        guard tier <= 5 else { throw .nonCanonical("a rule tier is 0...5", at: at) }
        counters = try Self.decodeMoves(&decoder)
    }
}
