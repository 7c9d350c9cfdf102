import Foundation
import SGPOSCodec
import SGPOSChain
import SGPOSConsensus

extension NodeClient {
    /// The validator sets of the working height and the next, and the updates pending here.
    public func validators() async throws -> API.Validators { try await call("GET", "/v1/validators", retry: true) }

    /// Hands an admin-signed validator update to the node (safe to repeat: one id, applied once).
    public func submitValidatorUpdate(_ update: ValidatorUpdate) async throws -> API.ValidatorUpdateAccepted {
        let body = try JSONEncoder().encode(API.ValidatorUpdateSubmission(update: Hex.encode(update.canonicalBytes)))
        return try await call("POST", "/v1/admin/validator-updates", body: body, retry: true)
    }
}

extension NodeClient {
    /// This outlet's allowance and what a points claim states.
    public func allowance() async throws -> API.Allowance { try await call("GET", "/v1/allowance", retry: true) }

    /// Hands an admin-signed allowance grant to the node (safe to repeat).
    /// Hands a product recall to the node, for a checkpoint to carry (FORMAT.md §9.8).
    public func submitRecall(_ recall: ProductRecall) async throws -> API.RecallAccepted {
        let body = try JSONEncoder().encode(API.RecallSubmission(recall: Hex.encode(recall.canonicalBytes)))
        return try await call("POST", "/v1/admin/recalls", body: body, retry: true)
    }

    /// The recalls the checkpoints carried and whether this outlet recorded each.
    public func recalls() async throws -> API.Recalls { try await call("GET", "/v1/recalls", retry: true) }

    public func submitAllowanceGrant(_ grant: AllowanceGrant) async throws -> API.AllowanceGrantAccepted {
        let body = try JSONEncoder().encode(API.AllowanceGrantSubmission(grant: Hex.encode(grant.canonicalBytes)))
        return try await call("POST", "/v1/admin/allowance-grants", body: body, retry: true)
    }
}
