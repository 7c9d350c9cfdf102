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
