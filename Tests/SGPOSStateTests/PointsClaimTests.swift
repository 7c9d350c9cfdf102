import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSTestSupport
import Testing

/// Points claims on credit from an outlet's allowance, and their settlement at the source
/// (docs/CONSENSUS.md §10, FORMAT.md §13.5).
@Suite struct PointsClaimTests {
    static func id(_ byte: UInt8) -> TransferID { TransferID(uncheckedBytes: Array(repeating: byte, count: TransferID.byteCount)) }

    static func claim(_ points: Int64, id: UInt8, member: String = "M1", source: UInt32 = 2, checkpoint: UInt64 = 1,
                      covered: UInt64 = 1, outstanding: Int64 = 0, allowance: Int64 = 500) -> POSBody {
        .pointsClaim(PointsClaim(claimID: Self.id(id), memberID: member, points: points, source: source, checkpoint: checkpoint,
                                 covered: covered, outstanding: outstanding, allowance: allowance))
    }

    func balance(_ shop: ShopFixture, _ member: String = "M1") throws -> Int64 { try shop.state.memberAccount(member)?.balance ?? 0 }

    @Test func claimsStayWithinTheStatedAllowance() throws {
        var shop = try ShopFixture(network: TestNetwork(outlets: 4))
        try shop.submit(.till, Self.claim(300, id: 1))
        #expect(try balance(shop) == 300, "the member's account here is credited at once (created if new)")
        expectRejected(.allowanceExceeded, &shop) { try $0.submit(.till, Self.claim(201, id: 2)) }
        try shop.submit(.till, Self.claim(200, id: 2))
        expectRejected(.claimAlreadyUsed, &shop) { try $0.submit(.till, Self.claim(1, id: 2, allowance: 500)) }
        // Statements are monotonic: an older checkpoint, or the same one said differently, is refused.
        expectRejected(.staleAllowance, &shop) { try $0.submit(.till, Self.claim(1, id: 3, checkpoint: 0, covered: 0, allowance: 0)) }
        expectRejected(.staleAllowance, &shop) { try $0.submit(.till, Self.claim(1, id: 3, allowance: 900)) }
        expectRejected(.staleAllowance, &shop) { try $0.submit(.till, Self.claim(1, id: 3, checkpoint: 2, covered: 99)) }
        // A newer checkpoint that covers both claims (blocks 5 and 7; this fixture makes one block per
        // transaction, refused ones included) and says they are still unsettled: nothing is free.
        expectRejected(.allowanceExceeded, &shop) { try $0.submit(.till, Self.claim(1, id: 3, checkpoint: 2, covered: 7, outstanding: 500)) }
        // Settled by then: the whole allowance is free again.
        try shop.submit(.till, Self.claim(500, id: 3, checkpoint: 2, covered: 7, outstanding: 0))
        #expect(try balance(shop) == 1_000)
        let allowance = try AllowanceState(canonicalBytes: #require(shop.state.read(.allowance)))
        #expect(allowance.checkpoint == 2 && allowance.covered == 7 && allowance.recent.map(\.points) == [500], "claims at or below the covered height leave the list")
        // Who may claim, and on whom.
        expectRejected(.invalidField, &shop) { try $0.submit(.till, Self.claim(1, id: 4, source: 1, checkpoint: 2, covered: 7)) }
        expectRejected(.invalidField, &shop) { try $0.submit(.till, Self.claim(1, id: 4, source: 9, checkpoint: 2, covered: 7)) }
        expectRejected(.nodeKeyCannotSign, &shop) { shop in
            try shop.submitChain(shop.network.nodeKeys[0], Self.claim(1, id: 4, checkpoint: 2, covered: 7).transactionBody)
        }
    }

    @Test func theSourceDebitsWhatTheMemberHasLeftOncePerClaim() throws {
        var shop = try ShopFixture(network: TestNetwork(outlets: 4))
        try shop.submit(.till, .loyaltyEnrol(LoyaltyEnrol(memberID: "M1")))
        try shop.submit(.manager, .loyaltyAdjust(LoyaltyAdjust(memberID: "M1", delta: 100, reason: "opening points")))
        let node = shop.network.nodeKeys[0]
        func settle(_ id: UInt8, points: Int64, debited: Int64, member: String = "M1") -> TransactionBody {
            POSBody.pointsSettle(PointsSettle(claimID: Self.id(id), claimant: 3, memberID: member, points: points, debited: debited)).transactionBody
        }
        expectRejected(.insufficientPoints, &shop) { try $0.submitChain(node, settle(1, points: 150, debited: 150)) }
        try shop.submitChain(node, settle(1, points: 150, debited: 100))
        #expect(try balance(shop) == 0, "the member had 100 of the 150 claimed: the claimant lost 50")
        expectRejected(.claimAlreadyUsed, &shop) { try $0.submitChain(node, settle(1, points: 150, debited: 0)) }
        try shop.submitChain(node, settle(2, points: 20, debited: 0, member: "NOBODY"))
        expectRejected(.notAuthorized, &shop) { try $0.submitChain($0.till, settle(3, points: 1, debited: 0)) }
        // The node key signs settlements and nothing else.
        expectRejected(.nodeKeyCannotSign, &shop) { try $0.submitChain(node, POSBody.loyaltyEnrol(LoyaltyEnrol(memberID: "M9")).transactionBody) }
    }
}

/// Claims and allowances in the network state (FORMAT.md §9.4).
@Suite struct NetworkAllowanceTests {
    let claimID = TransferID(uncheckedBytes: Array(repeating: 9, count: TransferID.byteCount))

    func claimWrites(points: Int64) -> WriteSet {
        var writes = WriteSet()
        let claim = PointsClaim(claimID: claimID, memberID: "M1", points: points, source: 2, checkpoint: 1, covered: 1, outstanding: 0, allowance: 500)
        writes.put(.pointsClaim(claimID), ClaimRecord(claim: claim, height: 5).canonicalBytes)
        return writes
    }

    func settleWrites(points: Int64, debited: Int64) -> WriteSet {
        var writes = WriteSet()
        let settle = PointsSettle(claimID: claimID, claimant: 4, memberID: "M1", points: points, debited: debited)
        writes.put(.pointsSettlement(claimID), SettlementRecord(settle: settle, height: 3).canonicalBytes)
        return writes
    }

    func allowance(_ state: MemoryState, _ outlet: UInt32 = 4) throws -> NetworkAllowance {
        try state.read(NetworkLedger.allowanceKey(outlet)).map { try NetworkAllowance(canonicalBytes: $0) } ?? NetworkAllowance()
    }

    func apply(_ state: inout MemoryState, grants: [NetworkLedger.Grant] = [], _ blocks: [(UInt32, WriteSet)]) throws {
        let sorted = blocks.sorted { $0.0 < $1.0 }
        let changes = try NetworkLedger.changes(base: state, allowanceGrants: grants,
                                                covering: sorted.map { .init(outlet: $0.0, heights: 1...1) }) { outlet, _ in
            sorted.first { $0.0 == outlet }!.1
        }
        state.apply(changes)
    }

    @Test func aClaimIsOutstandingUntilSettledAndAShortSettlementIsALoss() throws {
        var state = MemoryState()
        try apply(&state, grants: [.init(id: Hash256.sha256([1]), outlet: 4, points: 500, record: [0, 0, 0, 0, 0, 0, 0, 1])], [(4, claimWrites(points: 300))])
        let pending = try allowance(state)
        #expect(pending.granted == 500 && pending.outstanding == 300 && pending.losses == 0)
        try apply(&state, [(2, settleWrites(points: 300, debited: 120))])
        let after = try allowance(state)
        #expect(after.outstanding == 0 && after.losses == 180 && after.effective == 320)
        let record = try NetworkClaim(canonicalBytes: #require(state.read(NetworkLedger.claimKey(claimID.bytes))))
        #expect(record.status == "short")
        #expect(throws: (any Error).self, "a grant carried twice") {
            try apply(&state, grants: [.init(id: Hash256.sha256([1]), outlet: 4, points: 900, record: [0, 0, 0, 0, 0, 0, 0, 2])], [])
        }
    }

    @Test func theOrderOfTheHalvesDoesNotMatter() throws {
        var claimFirst = MemoryState(), settleFirst = MemoryState(), together = MemoryState()
        try apply(&claimFirst, [(4, claimWrites(points: 300))])
        try apply(&claimFirst, [(2, settleWrites(points: 300, debited: 300))])
        try apply(&settleFirst, [(2, settleWrites(points: 300, debited: 300))])
        #expect(try allowance(settleFirst) == NetworkAllowance(), "a settlement without its claim changes no allowance")
        try apply(&settleFirst, [(4, claimWrites(points: 300))])
        try apply(&together, [(4, claimWrites(points: 300)), (2, settleWrites(points: 300, debited: 300))])
        #expect(claimFirst.sortedEntries.map(\.value) == settleFirst.sortedEntries.map(\.value))
        #expect(claimFirst.sortedEntries.map(\.value) == together.sortedEntries.map(\.value))
        let record = try NetworkClaim(canonicalBytes: #require(together.read(NetworkLedger.claimKey(claimID.bytes))))
        let paid = try allowance(together)
        #expect(record.status == "paid" && paid.outstanding == 0)
        // A settlement of other points than claimed pays nothing: the whole claim is a loss.
        var mismatched = MemoryState()
        try apply(&mismatched, [(4, claimWrites(points: 300)), (2, settleWrites(points: 299, debited: 299))])
        #expect(try allowance(mismatched).losses == 300)
    }
}
