import SGPOSContracts
import SGPOSRetail
import SGPOSState

/// Promotion and loyalty rules (docs/CONTRACTS.md) as an admin handles them: a source
/// compiled to check it (`sgpos contract check` and `run`), and the deployment body an
/// admin signs (`sgpos till deploy-rule`). Whether a deployment takes (the signer's role,
/// the rule compiling, a higher version than the deployed one) is the state machine's
/// decision, with its codes.
public enum RuleBuilder {
    /// Parses, type-checks and bounds `source`; a ``SGPOSContracts/ContractError`` names the
    /// code, line and column of what is wrong.
    public static func compile(_ source: String) throws -> CompiledRule {
        try CompiledRule.compile(source)
    }

    /// The deployment of `source`, active from `activeFrom` (RFC 3339; the ledger time
    /// `nowMs` when nil; a time before the epoch counts as the epoch). `field` names the
    /// time in a refusal.
    public static func deployment(source: String, activeFrom: String?, nowMs: Int64,
                                  field: String = "activeFrom") throws(RequestError) -> DeployRule {
        let from: Int64
        if let activeFrom {
            do { from = try CivilTime.parse(activeFrom) } catch { throw RequestError("\(field): \(error.message)") }
        } else {
            from = nowMs
        }
        return try deployment(source: source, activeFromMs: from)
    }

    /// The deployment of `source` active from ledger time `activeFromMs` (before the epoch: the epoch).
    public static func deployment(source: String, activeFromMs: Int64) throws(RequestError) -> DeployRule {
        try RequestLimits.check(source, "rule source", limit: DeployRule.sourceBytesMax)
        return DeployRule(source: source, activeFromMs: UInt64(max(0, activeFromMs)))
    }
}
