import SGPOSChain
import SGPOSState
import Testing

/// Every rejection code the ledger can return is pinned: tills, audit reports and
/// FORMAT.md §8 / §13 name them by number, so a number never moves or is reused.
@Suite struct ReasonCodeTests {
    static let pinned: [(UInt16, String)] = [
            (1, "malformed"),
            (2, "wrongChain"),
            (3, "wrongOutlet"),
            (4, "badSignature"),
            (5, "unknownSigner"),
            (6, "signerRevoked"),
            (7, "signerRetired"),
            (8, "sequenceNotIncreasing"),
            (9, "duplicateIdempotencyID"),
            (10, "notAuthorized"),
            (11, "keyAlreadyRegistered"),
            (12, "principalHasActiveKey"),
            (13, "unknownKey"),
            (14, "keyNotActive"),
            (15, "outletAlreadyRegistered"),
            (16, "unsupportedBodyType"),
            (17, "invalidField"),
            (18, "nodeKeyCannotSign"),
            (100, "blockVersion"),
            (101, "blockHeight"),
            (102, "blockPreviousHash"),
            (103, "blockTimestamp"),
            (104, "blockProducer"),
            (105, "blockSignature"),
            (106, "blockTransactionCount"),
            (107, "blockTransactionRoot"),
            (108, "blockHistoryRoot"),
            (109, "blockStateRoot"),
            (110, "blockEmpty"),
            (111, "blockTooLarge"),
            (300, "unknownSKU"),
            (301, "priceMismatch"),
            (302, "totalsMismatch"),
            (303, "numberOutOfSequence"),
            (304, "shiftNotOpen"),
            (305, "shiftAlreadyOpen"),
            (306, "tendersMismatch"),
            (307, "invalidTender"),
            (308, "unknownMember"),
            (309, "memberAlreadyEnrolled"),
            (310, "insufficientPoints"),
            (311, "unknownOriginal"),
            (312, "refundExceedsSale"),
            (313, "voidNotAllowed"),
            (314, "stockCountMismatch"),
            (315, "transferMismatch"),
            (316, "voucherAlreadyRedeemed"),
            (317, "closingMismatch"),
            (318, "shiftsStillOpen"),
            (319, "timestampOutOfWindow"),
            (320, "pricingRefused"),
            (321, "contractRefused"),
            (322, "allowanceExceeded"),
            (323, "staleAllowance"),
            (324, "claimAlreadyUsed"), (325, "lotRecalled"), (326, "lotAlreadyRecalled"),
    ]

    @Test func everyDeclaredReasonKeepsItsNumberAndName() {
        let declared = LedgerRejection.Reason.chainReasons + LedgerRejection.Reason.posReasons
        #expect(declared.map { ($0.rawValue, $0.name) }.elementsEqual(Self.pinned) { $0 == $1 },
                "a rejection code was renumbered, renamed, removed or added without pinning it here")
        #expect(Set(declared.map(\.rawValue)).count == declared.count, "two reasons share a number")
        #expect(Set(declared.map(\.name)).count == declared.count, "two reasons share a name")
    }

    @Test func eachLayerDeclaresOnlyInItsOwnRange() {
        #expect(LedgerRejection.Reason.chainReasons.allSatisfy { $0.rawValue < 300 })
        #expect(LedgerRejection.Reason.posReasons.allSatisfy { (300..<400).contains($0.rawValue) })
        #expect(LedgerRejection.Reason.unknownSKU.rawValue == 300 && LedgerRejection.Reason.badSignature.rawValue == 4)
        #expect("\(LedgerRejection(.insufficientPoints, "x"))" == "rule 310 (insufficientPoints): x")
    }
}
