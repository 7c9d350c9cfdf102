import SGPOSChain
import SGPOSCodec
import SGPOSContracts
import SGPOSCrypto
import Synchronization

/// Deploys a promotion or loyalty rule (docs/CONTRACTS.md): the source is compiled
/// (parsed, type-checked, cost-bounded) by every node; the rule runs from `activeFromMs`
/// (block time) under the language version it declares. Superseding a rule is a new
/// deployment of the same id with a higher version.
public struct DeployRule: Hashable, Sendable {
    public static let sourceBytesMax = 64 * 1024
    public var source: String
    public var activeFromMs: UInt64

    public init(source: String, activeFromMs: UInt64) {
        self.source = source
        self.activeFromMs = activeFromMs
    }
}

extension DeployRule {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(source, limit: DeployRule.sourceBytesMax)
        encoder.writeU64(activeFromMs)
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "deploy-rule")
        source = try decoder.readString("rule source", limit: DeployRule.sourceBytesMax)
        activeFromMs = try decoder.readU64("active from")
    }
}

/// A deployed rule in the state.
public struct RuleRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var version: Int64
    public var activeFromMs: UInt64
    public var sourceHash: Hash256
    public var source: String

    public init(version: Int64, activeFromMs: UInt64, sourceHash: Hash256, source: String) {
        self.version = version
        self.activeFromMs = activeFromMs
        self.sourceHash = sourceHash
        self.source = source
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeI64(version)
        encoder.writeU64(activeFromMs)
        sourceHash.encode(to: &encoder)
        encoder.writeString(source, limit: DeployRule.sourceBytesMax)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "rule record")
        version = try decoder.readI64("rule version")
        activeFromMs = try decoder.readU64("active from")
        sourceHash = try Hash256(from: &decoder)
        source = try decoder.readString("rule source", limit: DeployRule.sourceBytesMax)
    }
}

extension StateKey {
    public static func rule(_ id: String) -> StateKey { StateKey(.contracts, Array(id.utf8)) }
    /// The list of deployed rule ids.
    public static let ruleIndex = StateKey(.contracts, [])
    public static func ruleCounter(rule: String, counter: String, member: String) -> StateKey {
        StateKey(.ruleCounters, Array(rule.utf8) + [0] + Array(counter.utf8) + [0] + Array(member.utf8))
    }
}

/// Compiled rules by source hash: compiling is deterministic, so caching changes nothing
/// but time. Bounded.
final class RuleCache: Sendable {
    static let shared = RuleCache()
    private static let entriesMax = 1_024
    private let rules = Mutex<[Hash256: CompiledRule]>([:])

    func compiled(_ record: RuleRecord) throws -> CompiledRule {
        if let hit = rules.withLock({ $0[record.sourceHash] }) { return hit }
        let compiled = try CompiledRule.compile(record.source)
        rules.withLock { rules in
            if rules.count >= Self.entriesMax { rules.removeAll() }
            rules[record.sourceHash] = compiled
        }
        return compiled
    }
}

extension StateReader {
    /// Deployed rule ids, sorted.
    public func ruleIDs() throws -> [String] {
        guard let bytes = try read(.ruleIndex) else { return [] }
        var decoder = CanonicalDecoder(bytes)
        let count = try decoder.readCount("rule ids", limit: 1_024)
        var ids: [String] = []
        for _ in 0..<count { ids.append(try decoder.readString("rule id", limit: 64)) }
        try decoder.finish("rule index")
        return ids
    }

    /// The rules active at `atMs`, compiled.
    public func activeRules(atMs: Int64) throws -> [CompiledRule] {
        var rules: [CompiledRule] = []
        for id in try ruleIDs() {
            guard let record = try record(RuleRecord.self, .rule(id)), Int64(record.activeFromMs) <= atMs else { continue }
            rules.append(try RuleCache.shared.compiled(record))
        }
        return rules
    }

    /// A rule counter's value (0 when never incremented): per member, or a budget with member "".
    public func ruleCounter(rule: String, counter: String, member: String) throws -> Int64 {
        guard let bytes = try read(.ruleCounter(rule: rule, counter: counter, member: member)) else { return 0 }
        var decoder = CanonicalDecoder(bytes)
        let value = try decoder.readI64("counter")
        try decoder.finish("counter")
        return value
    }
}

extension POSTransition {
    mutating func deployRule(_ body: DeployRule, _ state: inout StateOverlay) throws {
        try require([.admin], "a rule deployment")
        let compiled: CompiledRule
        do {
            compiled = try CompiledRule.compile(body.source)
        } catch let error as ContractError {
            throw reject(.contractRefused, "the rule does not deploy: \(error)")
        }
        if let existing = try state.record(RuleRecord.self, .rule(compiled.id)), existing.version >= compiled.rule.version {
            throw reject(.contractRefused, "rule \(compiled.id) version \(existing.version) is deployed; a new deployment needs a higher version")
        }
        var ids = try state.ruleIDs()
        if !ids.contains(compiled.id) {
            guard ids.count < 1_024 else { throw reject(.contractRefused, "1024 rules are deployed already") }
            ids.append(compiled.id)
            ids.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        state.put(.ruleIndex, RuleDeployment.indexBytes(ids))
        state.store(RuleRecord(version: compiled.rule.version, activeFromMs: body.activeFromMs, sourceHash: compiled.sourceHash,
                               source: body.source), at: .rule(compiled.id))
    }
}

/// The encodings of the rule tables, shared by the state machine and ``WhatIfState``.
enum RuleDeployment {
    /// The rule index value: the sorted ids.
    static func indexBytes(_ ids: [String]) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.writeCount(ids.count, limit: 1_024)
        for id in ids { encoder.writeString(id, limit: 64) }
        return encoder.bytes
    }

    /// A rule counter's value.
    static func counterBytes(_ value: Int64) -> [UInt8] {
        var encoder = CanonicalEncoder(capacity: 8)
        encoder.writeI64(value)
        return encoder.bytes
    }
}
