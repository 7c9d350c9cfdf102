import SGPOSChain
import SGPOSCodec
import SGPOSContracts
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// The rules a back office shows and checks (docs/API.md, `GET /v1/rules` and `POST
/// /v1/rules/check`): the deployed ones as the state holds them, and the checker's verdict
/// on a new source — whether it compiles (with the code, line and column of what does
/// not), its static cost bound, and whether a deployment would take given what is
/// deployed. The state machine still decides at submit time (an admin's signature, a
/// higher version), with the same rules.
public enum RuleCatalogue {
    /// A deployed rule.
    public struct Deployed: Sendable, Equatable {
        public var id: String
        public var version: Int64
        public var priority: Int64
        public var activeFromMs: UInt64
        public var sourceHash: Hash256
        public var staticCost: UInt64
        public var source: String
    }

    /// The checker's verdict on a source.
    public enum Verdict: Sendable, Equatable {
        /// It compiles. `deployedVersion`: the version deployed under the same id, if any;
        /// `refusal`: why a deployment would be refused now (nil: it would take).
        case compiles(id: String, version: Int64, priority: Int64, staticCost: UInt64, sourceHash: Hash256,
                      deployedVersion: Int64?, refusal: String?)
        /// It does not: the contract error (code, 1-based line and column; 0 when the
        /// error has no position).
        case fails(ContractError)
    }

    /// Every deployed rule, by id.
    public static func deployed(_ state: some StateReader) throws -> [Deployed] {
        try state.ruleIDs().compactMap { id in
            guard let bytes = try state.read(.rule(id)) else { return nil }
            let record = try RuleRecord(canonicalBytes: bytes)
            let compiled = try CompiledRule.compile(record.source)
            return Deployed(id: id, version: record.version, priority: compiled.rule.priority, activeFromMs: record.activeFromMs,
                            sourceHash: record.sourceHash, staticCost: compiled.staticCost, source: record.source)
        }
    }

    /// Checks `source` against the rules deployed in `state`.
    public static func check(_ source: String, state: some StateReader) throws -> Verdict {
        try RequestLimits.check(source, "source", limit: DeployRule.sourceBytesMax)
        let compiled: CompiledRule
        do {
            compiled = try RuleBuilder.compile(source)
        } catch let error as ContractError {
            return .fails(error)
        }
        let deployed = try state.read(.rule(compiled.id)).map { try RuleRecord(canonicalBytes: $0) }
        var refusal: String?
        if let deployed, deployed.version >= compiled.rule.version {
            refusal = "rule \(compiled.id) version \(deployed.version) is deployed; a new deployment needs a higher version"
        } else if deployed == nil, try state.ruleIDs().count >= 1_024 {
            refusal = "1024 rules are deployed already"
        }
        return .compiles(id: compiled.id, version: compiled.rule.version, priority: compiled.rule.priority,
                         staticCost: compiled.staticCost, sourceHash: compiled.sourceHash,
                         deployedVersion: deployed?.version, refusal: refusal)
    }
}
