import Foundation
import Hummingbird
import SGPOSAudit
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSClient

extension API {
    /// `GET /v1/allowance`: what a till states in a points claim (docs/CONSENSUS.md §10) —
    /// the newest checkpoint this node's network state is at, the outlet's block height it
    /// covers, the outlet's unsettled claims and allowance then — and what is left to claim.
    public struct Allowance: Codable, Sendable {
        public let outletId: UInt32
        public let checkpoint: UInt64
        public let covered: UInt64
        public let outstanding: Int64
        public let allowance: Int64
        public let granted: Int64
        public let losses: Int64
        /// Points this outlet claimed in blocks the checkpoint does not cover yet.
        public let claimedSince: Int64
        /// allowance − outstanding − claimedSince, not below 0.
        public let available: Int64
    }

    /// `POST /v1/admin/allowance-grants` body: the grant's canonical bytes, hex.
    public struct AllowanceGrantSubmission: Codable, Sendable {
        public var grant: String
        public init(grant: String) { self.grant = grant }
    }

    public struct AllowanceGrantAccepted: Codable, Sendable {
        public let id: String
        public let outletId: UInt32
        public let points: Int64
    }
}

extension CheckpointService {
    /// This outlet's claim statement as of the network state's checkpoint.
    public func allowance() throws -> API.Allowance {
        let outlet = node.outletID
        return try node.read { transaction in
            let position = try node.store.networkPosition(genesisRoot: app.genesisRoot, transaction)
            let covered = try position.height == 0 ? 0
                : storage.certificate(height: position.height).flatMap { try Checkpoint(canonicalBytes: $0.value).head(of: outlet)?.height } ?? 0
            let network = try node.store.networkState(transaction).read(NetworkLedger.allowanceKey(outlet))
                .map { try NetworkAllowance(canonicalBytes: $0) } ?? NetworkAllowance()
            let state = try node.store.stateReader(outlet, transaction).read(.allowance).map { try AllowanceState(canonicalBytes: $0) }
            let since = (state?.recent ?? []).filter { $0.height > covered }.reduce(0) { $0 + $1.points }
            return API.Allowance(outletId: outlet, checkpoint: position.height, covered: covered, outstanding: network.outstanding,
                                 allowance: network.effective, granted: network.granted, losses: network.losses, claimedSince: since,
                                 available: max(0, network.effective - network.outstanding - since))
        }
    }

    /// Checks a grant and keeps it for a checkpoint.
    public func accept(_ grant: AllowanceGrant) throws(UpdateRefusal) -> API.AllowanceGrantAccepted {
        guard grant.isValid(genesis: node.genesis) else {
            throw UpdateRefusal(status: 403, message: "allowance grant \(grant.id) is not signed by a genesis admin of this network for a genesis outlet with 0...\(AllowanceGrant.pointsMax) points")
        }
        let carried = (try? node.read { try node.store.networkState($0).read(StateKey(.networkAllowanceGrants, grant.id.bytes)) }) ?? nil
        guard carried == nil else { throw UpdateRefusal(status: 409, message: "allowance grant \(grant.id) was carried by an earlier checkpoint") }
        do {
            try AdminActPool.add(grant, directory: app.allowanceGrantDirectory)
        } catch {
            throw UpdateRefusal(status: 500, message: "the grant could not be stored: \(error)")
        }
        return API.AllowanceGrantAccepted(id: grant.id.hex, outletId: grant.outlet, points: grant.points)
    }
}

extension NodeAPI {
    func allowance() async throws -> Response {
        guard let checkpoints else { return problem(.notFound, "not-found", 0, "this network has fewer than 4 outlets: no checkpoint chain, no allowances") }
        return try json(try await checkpoints.allowance())
    }

    func submitAllowanceGrant(_ data: [UInt8]) async throws -> Response {
        try await submitAdminAct(data, AllowanceGrant.self, field: "grant", what: "an allowance grant, FORMAT.md §9.6") {
            try await $0.accept($1)
        }
    }
}

extension NodeClient {
    /// This outlet's allowance and what a points claim states.
    public func allowance() async throws -> API.Allowance { try await call("GET", "/v1/allowance", retry: true) }

    /// Hands an admin-signed allowance grant to the node (safe to repeat).
    public func submitAllowanceGrant(_ grant: AllowanceGrant) async throws -> API.AllowanceGrantAccepted {
        let body = try JSONEncoder().encode(API.AllowanceGrantSubmission(grant: Hex.encode(grant.canonicalBytes)))
        return try await call("POST", "/v1/admin/allowance-grants", body: body, retry: true)
    }
}
