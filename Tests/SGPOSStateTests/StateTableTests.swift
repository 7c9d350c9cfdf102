import SGPOSChain
import SGPOSState
import Testing

/// State table bytes are stable codes declared by the layer that owns them: the chain's
/// registry tables, the POS state machine's and the network state's. Each is pinned here
/// (a renumbered table changes every state root), and no byte is declared twice.
@Suite struct StateTableTests {
    @Test func everyTableByteIsPinnedAndDeclaredOnce() {
        let pinned: [(UInt8, String)] = [
            (0x01, "outlets"), (0x02, "keys"), (0x03, "principals"),
            (0x10, "prices"), (0x11, "stock"), (0x12, "members"), (0x13, "shifts"), (0x14, "books"), (0x15, "sales"),
            (0x16, "transfers"), (0x17, "vouchers"), (0x18, "settings"), (0x19, "contracts"), (0x1A, "ruleCounters"),
            (0x1B, "pointRates"), (0x1C, "memberMultipliers"), (0x1D, "pointsClaims"), (0x1E, "allowance"),
            (0x1F, "pointsSettlements"), (0x20, "ruleSets"), (0x21, "ruleSources"), (0x22, "salePricing"), (0x23, "coupons"), (0x24, "saleCoupons"), (0x25, "giftCards"), (0x26, "lots"), (0x27, "lotSales"), (0x28, "saleLots"), (0x29, "recalls"),
            (0x40, "networkMemberAccounts"), (0x41, "networkMemberTotals"), (0x42, "networkTransfers"),
            (0x43, "networkEvidence"), (0x44, "networkValidatorUpdates"), (0x45, "networkClaims"),
            (0x46, "networkAllowances"), (0x47, "networkAllowanceGrants"), (0x48, "networkRecalls"),
        ]
        let declared = StateTable.declaredTables
        #expect(declared.map(\.rawValue) == pinned.map(\.0))
        #expect(declared.map(\.name) == pinned.map(\.1))
        #expect(Set(declared.map(\.rawValue)).count == declared.count, "a table byte is declared twice")
        #expect(Set(declared.map(\.name)).count == declared.count, "a table name is declared twice")
    }

    @Test func eachLayerDeclaresOnlyInItsOwnRange() {
        #expect(StateTable.chainTables.allSatisfy { (0x01...0x0F).contains($0.rawValue) })
        #expect(StateTable.posTables.allSatisfy { (0x10...0x3F).contains($0.rawValue) })
        #expect(StateTable.networkTables.allSatisfy { (0x40...0x4F).contains($0.rawValue) })
        #expect(StateTable.networkSources.isSubset(of: Set(StateTable.posTables)), "the network state derives from POS tables only")
        #expect(POSRules.chainRules.networkSourceTables == StateTable.networkSources)
        #expect(ChainRules().networkSourceTables.isEmpty, "the registry alone keeps no network sources")
    }

    @Test func aStoredKeyDecodesToTheDeclaredTable() {
        let key = StateKey(.members, Array("M01-0001".utf8))
        let decoded = StateKey(bytes: key.bytes)
        #expect(decoded == key && decoded?.table == .members)
        #expect(StateKey(bytes: [0x00, 0x01]) == nil, "table byte 0 is no table")
    }
}
