import SGPOSChain
import SGPOSOperations
import SGPOSState
import SGPOSTestSupport
import Testing

/// A points claim built from the node's allowance statement is the body the state machine
/// accepts; one beyond the stated allowance it refuses with its code.
@Suite struct PointsClaimBodyTests {
    @Test func aClaimWithinTheAllowanceIsAcceptedAndOneBeyondRefused() throws {
        var shop = try ShopFixture(network: TestNetwork(outlets: 4))
        let builder = SaleBuilder(genesis: shop.network.genesis, outlet: shop.outlet, principal: "till-1")
        let statement = AllowanceStatement(checkpoint: 1, covered: 1, outstanding: 0, allowance: 500)
        let first = try builder.buildPointsClaim(id: SaleBuilder.newClaimID(), memberID: "M1", points: 300, source: 2, statement: statement)
        #expect(first.checkpoint == 1 && first.covered == 1 && first.outstanding == 0 && first.allowance == 500 && first.source == 2)
        try shop.submit(.till, .pointsClaim(first))
        #expect(try shop.state.memberAccount("M1")?.balance == 300)
        let second = try builder.buildPointsClaim(id: SaleBuilder.newClaimID(), memberID: "M1", points: 201, source: 2, statement: statement)
        #expect(second.claimID != first.claimID)
        #expect(refusal { try shop.submit(.till, .pointsClaim(second)) }?.reason == .allowanceExceeded)
        // Member ids stay pseudonymous (PDPA): refused before a body exists.
        #expect(throws: RequestError.self) {
            try builder.buildPointsClaim(id: SaleBuilder.newClaimID(), memberID: "someone@example.com", points: 1, source: 2, statement: statement)
        }
    }
}
