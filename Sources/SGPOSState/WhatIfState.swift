import SGPOSChain
import SGPOSCodec
import SGPOSContracts
import SGPOSCrypto
import SGPOSRetail

/// A state made up for a "what if" quote (`sgpos quote`): a price list, a member, rules,
/// counters and settings given by hand instead of read from a chain. It holds the same
/// keys with the same encodings the state machine writes, so ``SaleCalculator`` prices a
/// basket against it exactly as it prices a sale against a ledger holding those values.
public struct WhatIfState: StateReader, Sendable {
    private var entries: [StateKey: [UInt8]] = [:]

    public init(settings: RetailSettings = .defaults) {
        entries[.retailSettings] = settings.canonicalBytes
    }

    public func read(_ key: StateKey) -> [UInt8]? { entries[key] }

    /// Puts `sku` on `outlet`'s price list (active).
    public mutating func setPrice(outlet: UInt32, sku: String, category: String, unitPrice: Int64, priceIncludesGST: Bool,
                                  taxCategory: TaxCategory = .standardRated) {
        entries[.price(outlet: outlet, sku: sku)] = PriceRecord(
            category: category, unitPrice: unitPrice, priceIncludesGST: priceIncludesGST, taxCategory: taxCategory,
            active: true).canonicalBytes
    }

    /// Enrols `id` with a tier, a lifetime spend and `points` spendable through
    /// `pointsExpireOn` (days since 1970-01-01, Singapore date).
    public mutating func setMember(_ id: String, tier: UInt8, lifetimeSpend: Int64, points: Int64, pointsExpireOn: Int64) {
        let lots = points > 0 ? [MemberAccount.Lot(expiresOn: pointsExpireOn, points: points)] : []
        entries[.member(id)] = MemberAccount(tier: tier, lifetimeSpend: lifetimeSpend, lots: lots).canonicalBytes
    }

    /// A member's personal points multiplier (basis points).
    public mutating func setMultiplier(_ id: String, basisPoints: Int64) {
        entries[.memberMultiplier(id)] = basisPointBytes(basisPoints)
    }

    /// The operator's points rate for a category (basis points).
    public mutating func setPointRate(category: String, basisPoints: Int64) {
        entries[.pointRate(category: category)] = basisPointBytes(basisPoints)
    }

    /// Deploys a rule as the state machine would (compiled; a second deployment of an id
    /// replaces the first). Throws the compiler's error for a rule that does not deploy.
    public mutating func deploy(_ rule: DeployRule) throws {
        let sourceHash = Hash256.sha256(Array(rule.source.utf8))
        let compiled = try RuleCache.shared.compiled(
            RuleRecord(version: 0, activeFromMs: rule.activeFromMs, sourceHash: sourceHash, source: rule.source))
        let record = RuleRecord(version: compiled.rule.version, activeFromMs: rule.activeFromMs, sourceHash: sourceHash,
                                source: rule.source)
        var ids = (try? ruleIDs()) ?? []
        if !ids.contains(compiled.id) {
            ids.append(compiled.id)
            ids.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        entries[.ruleIndex] = RuleDeployment.indexBytes(ids)
        entries[.rule(compiled.id)] = record.canonicalBytes
    }

    /// A rule counter's value: per member, or a budget with member "".
    public mutating func setCounter(rule: String, counter: String, member: String, value: Int64) {
        entries[.ruleCounter(rule: rule, counter: counter, member: member)] = RuleDeployment.counterBytes(value)
    }
}
