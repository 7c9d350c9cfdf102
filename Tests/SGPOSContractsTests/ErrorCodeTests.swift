import SGPOSContracts
import Testing

/// Contract error codes are recorded on chain and in the conformance suites
/// (docs/CONTRACTS.md): pinned by number and name.
@Suite struct ContractErrorCodeTests {
    static let pinned: [(UInt16, String)] = [
        (1, "parse"),
        (2, "type"),
        (3, "staticCostLimit"),
        (4, "unsupportedLanguage"),
        (5, "constantTooLarge"),
        (10, "overflow"),
        (11, "divisionByZero"),
        (13, "discountExceedsLine"),
        (14, "stateCapExceeded"),
        (15, "costLimit"),
        (16, "expansionLimit"),
        (17, "lineOutOfRange"),
        (18, "pointsBeyondBalance"),
    ]

    @Test func everyCodeKeepsItsNumberAndName() {
        #expect(ContractError.Code.all.map { ($0.rawValue, $0.description) }.elementsEqual(Self.pinned) { $0 == $1 })
        #expect(Set(ContractError.Code.all.map(\.rawValue)).count == ContractError.Code.all.count)
        #expect(ContractError(.overflow, line: 3, column: 7, "x").description == "error 10 at 3:7: x")
    }
}
