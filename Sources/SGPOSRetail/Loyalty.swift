/// Loyalty tiers by lifetime spend (the seed programme: S$0 / 1,000 / 5,000 / 20,000 /
/// 50,000). Raw values are stable: they are recorded on chain.
public enum LoyaltyTier: UInt8, Hashable, Sendable, CaseIterable, Comparable {
    case bronze = 1
    case silver = 2
    case gold = 3
    case platinum = 4
    case diamond = 5

    /// Lifetime spend (cents) from which the tier applies.
    public var thresholdCents: Int64 {
        switch self {
        case .bronze: 0
        case .silver: 100_000
        case .gold: 500_000
        case .platinum: 2_000_000
        case .diamond: 5_000_000
        }
    }

    /// Points multiplier in basis points: 1.0× / 1.2× / 1.5× / 2.0× / 2.5×.
    public var multiplierBasisPoints: Int64 {
        switch self {
        case .bronze: 10_000
        case .silver: 12_000
        case .gold: 15_000
        case .platinum: 20_000
        case .diamond: 25_000
        }
    }

    /// The highest tier whose threshold `lifetimeSpend` reaches (upgrades are automatic).
    public static func forLifetimeSpend(_ lifetimeSpend: Money) -> LoyaltyTier { forSpend(lifetimeSpend.cents) }

    /// The highest tier whose threshold `cents` of spend reaches (bronze below S$0).
    public static func forSpend(_ cents: Int64) -> LoyaltyTier {
        allCases.last { cents >= $0.thresholdCents } ?? .bronze
    }

    public var name: String {
        switch self {
        case .bronze: "bronze"
        case .silver: "silver"
        case .gold: "gold"
        case .platinum: "platinum"
        case .diamond: "diamond"
        }
    }

    public init?(name: String) {
        guard let tier = LoyaltyTier.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = tier
    }

    public static func < (lhs: LoyaltyTier, rhs: LoyaltyTier) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The built-in earning rule until promotion contracts run (issue 4): whole dollars paid
/// with anything but points × points per dollar × the tier multiplier, rounded down.
public struct PointsEarning: Hashable, Sendable {
    public var pointsPerDollar: Int64

    public init(pointsPerDollar: Int64) { self.pointsPerDollar = pointsPerDollar }

    /// Points earned on `paid` (negative or zero pays nothing).
    public func points(paid: Money, tier: LoyaltyTier) -> Int64 {
        guard paid.cents > 0 else { return 0 }
        let dollars = Rounding.towardZero.divide(paid.cents, by: 100)
        // ≤ 1e10 dollars × 1000 points × 25000: within Int64.
        return Rounding.towardZero.divide(dollars * pointsPerDollar * tier.multiplierBasisPoints, by: 10_000)
    }
}

/// IRAS R6: a business may round a cash bill to the nearest 5 cents; the adjustment is
/// its own line. 1–2 cents round down, 3–4 up (half-up at 2.5).
public enum CashRounding {
    /// The signed adjustment that brings `amount` to a multiple of 5 cents.
    public static func adjustment(for amount: Money) -> Money {
        let remainder = ((amount.cents % 5) + 5) % 5
        return Money(uncheckedCents: remainder <= 2 ? -remainder : 5 - remainder)
    }
}
