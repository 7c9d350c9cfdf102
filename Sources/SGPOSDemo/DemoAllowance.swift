import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSNode
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSTill
import SGPOSClient

extension DemoCommand {
    /// Points each outlet may redeem on credit in the demo.
    static let demoAllowance: Int64 = 500

    /// Head office grants every outlet an allowance (carried by the next checkpoint).
    func grantAllowances(network: DemoNetwork, nodes: DemoNodes) async throws {
        guard network.genesis.hasCheckpointChain else { return }
        for outlet in network.genesis.outlets.map(\.id) {
            let grant = AllowanceGrant(chainID: network.genesis.id, serial: 1, outlet: outlet, points: Self.demoAllowance, admin: network.admin)
            for node in nodes.nodes { _ = try await node.client.submitAllowanceGrant(grant) }
        }
        print("== head office grants each outlet an allowance of \(Self.demoAllowance) points for redemptions on credit")
    }

    /// Offline redemption (docs/CONSENSUS.md §10): `outlet` is cut off; a member who earned
    /// points at `source` redeems some there on credit of the outlet's allowance; a claim
    /// beyond the allowance is refused; back online, the source settles the claim and a
    /// checkpoint frees the allowance. Returns the number of problems.
    func showOfflineRedemption(nodes: DemoNodes, sellers: inout [OutletID: [TillSession]], member: String,
                               source: OutletID, outlet: OutletID) async throws -> Int {
        guard nodes.nodes.count >= 4, let node = nodes.nodes.first(where: { $0.outlet == outlet }),
              var till = sellers[outlet]?.first else { return 0 }
        // The grant must be in a checkpoint this outlet has applied (a short demo gets here first).
        let waitStarted = ContinuousClock.now
        while try await node.client.allowance().allowance < Self.demoAllowance {
            guard waitStarted.duration(to: .now) < .seconds(30) else {
                print("   FAIL outlet \(outlet)'s allowance grant was not checkpointed within 30 s")
                return 1
            }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        try await node.client.isolate(true)
        let view = try await node.client.networkMember(member)
        let sourcePoints = view.accounts.first { $0.outletId == source }?.points ?? 0
        let statement = try await node.client.allowance()
        print("== outlet \(outlet) cut off again; member \(member) (\(sourcePoints) points at outlet \(source), as outlet \(outlet) last saw) "
            + "redeems there; outlet \(outlet)'s allowance as of checkpoint \(statement.checkpoint): \(statement.allowance), \(statement.available) free")
        let points: Int64 = 300
        let builder = till.builder
        func claim(_ points: Int64, _ statement: API.Allowance, on source: OutletID = source) throws -> PointsClaim {
            try builder.buildPointsClaim(
                id: SaleBuilder.newClaimID(), memberID: member, points: points, source: source,
                statement: AllowanceStatement(checkpoint: statement.checkpoint, covered: statement.covered,
                                              outstanding: statement.outstanding, allowance: statement.allowance))
        }
        let now = { Int64(Date().timeIntervalSince1970 * 1_000) }
        var problems = 0
        // A claim on an outlet that holds none of the member's points: the node refuses it.
        let elsewhere = nodes.nodes.map(\.outlet).first { $0 != source && $0 != outlet }!
        do {
            _ = try await node.client.submit(till.sign(.pointsClaim(try claim(points, statement, on: elsewhere)), atMs: now()))
            print("   FAIL a claim on outlet \(elsewhere), which holds none of the member's points, was accepted")
            problems += 1
        } catch let failure as NodeClient.Failure where failure.problem?.code == Int(LedgerRejection.Reason.insufficientPoints.rawValue) {
            print("   a claim on outlet \(elsewhere) is refused by the node: \(failure.problem?.message ?? "")")
        }
        let first = try claim(points, statement)
        _ = try await node.client.submit(till.sign(.pointsClaim(first), atMs: now()))
        let prepared = try await node.client.signed(by: till.key).prepare(API.PrepareRequest(
            kind: "sale", till: till.principal, lines: [.init(sku: DemoShop.catalogue[0].sku, qty: 2)], memberId: member,
            redeemPoints: points, payment: API.Payment(kind: "cash")))
        guard let payload = Hex.decode(prepared.body), case .sale(let sale) = try POSBody.decode(type: prepared.bodyType, payload: payload) else {
            throw CLIError("the node did not prepare a sale")
        }
        _ = try await node.client.submit(till.sign(.sale(sale), atMs: now()))
        print("   claim of \(points) points on outlet \(source) and a sale redeeming them: accepted offline (\((try? Money(cents: sale.amountPayable))?.description ?? "?") payable)")
        do {
            _ = try await node.client.submit(till.sign(.pointsClaim(try claim(points, statement)), atMs: now()))
            print("   FAIL a second claim of \(points) points beyond the allowance was accepted")
            problems += 1
        } catch let failure as NodeClient.Failure where failure.problem?.code == Int(LedgerRejection.Reason.allowanceExceeded.rawValue) {
            print("   a second claim of \(points) points is refused: \(failure.problem?.message ?? "")")
        }
        sellers[outlet]![0] = till
        try await node.client.isolate(false)
        let started = ContinuousClock.now
        while started.duration(to: .now) < .seconds(30) {
            let now = try await node.client.allowance()
            if now.checkpoint > statement.checkpoint, now.claimedSince == 0, now.outstanding == 0 {
                let seconds = Double(started.duration(to: .now).components.seconds) + Double(started.duration(to: .now).components.attoseconds) / 1e18
                let after = try await node.client.networkMember(member)
                print(String(format: "   reconnected: outlet %u settled the claim and checkpoint %llu covers it %.1f s later; ", source, now.checkpoint, seconds)
                    + "outlet \(outlet)'s allowance is free again (\(now.available) of \(now.allowance), lost \(now.losses)); "
                    + "member \(member) now has \(after.points) points over the network")
                return problems
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        print("   FAIL the claim was not settled and checkpointed within 30 s of reconnecting")
        return problems + 1
    }
}
