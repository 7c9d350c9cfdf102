/// Why a transaction or block was refused. Nothing it names was changed.
///
/// ``code`` is stable: codes are returned to tills, written in audit reports and never
/// reused (TigerBeetle's result-code discipline). New reasons get new numbers.
public struct LedgerRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable reasons. Append only; retired numbers stay reserved.
    public enum Reason: UInt16, Sendable, CaseIterable {
        case malformed = 1
        case wrongChain = 2
        case wrongOutlet = 3
        case badSignature = 4
        case unknownSigner = 5
        case signerRevoked = 6
        case signerRetired = 7
        case sequenceNotIncreasing = 8
        case duplicateIdempotencyID = 9
        case notAuthorized = 10
        case keyAlreadyRegistered = 11
        case principalHasActiveKey = 12
        case unknownKey = 13
        case keyNotActive = 14
        case outletAlreadyRegistered = 15
        case unsupportedBodyType = 16
        case invalidField = 17
        case nodeKeyCannotSign = 18
        // Block-level rules.
        case blockVersion = 100
        case blockHeight = 101
        case blockPreviousHash = 102
        case blockTimestamp = 103
        case blockProducer = 104
        case blockSignature = 105
        case blockTransactionCount = 106
        case blockTransactionRoot = 107
        case blockHistoryRoot = 108
        case blockStateRoot = 109
        case blockEmpty = 110
        case blockTooLarge = 111
        // POS state machine rules (SGPOSState, docs/FORMAT.md §13).
        case unknownSKU = 300
        case priceMismatch = 301
        case totalsMismatch = 302
        case numberOutOfSequence = 303
        case shiftNotOpen = 304
        case shiftAlreadyOpen = 305
        case tendersMismatch = 306
        case invalidTender = 307
        case unknownMember = 308
        case memberAlreadyEnrolled = 309
        case insufficientPoints = 310
        case unknownOriginal = 311
        case refundExceedsSale = 312
        case voidNotAllowed = 313
        case stockCountMismatch = 314
        case transferMismatch = 315
        case voucherAlreadyRedeemed = 316
        case closingMismatch = 317
        case shiftsStillOpen = 318
        case timestampOutOfWindow = 319
        case pricingRefused = 320
        case contractRefused = 321
        case allowanceExceeded = 322
        case staleAllowance = 323
        case claimAlreadyUsed = 324
        // Last code: claimAlreadyUsed = 324. Update when adding one.
    }

    public let reason: Reason
    /// What exactly was wrong, for a person to act on.
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// The stable numeric code.
    public var code: UInt16 { reason.rawValue }

    public var description: String { "rule \(code) (\(reason)): \(detail)" }
}
