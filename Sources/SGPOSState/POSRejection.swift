import SGPOSChain

/// The POS state machine's rejection codes (docs/FORMAT.md §13), declared by the layer
/// whose rules raise them. Append only; retired numbers stay reserved.
private enum POSReason: UInt16, CaseIterable {
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
    case lotRecalled = 325
    case lotAlreadyRecalled = 326
}

extension LedgerRejection.Reason {
    /// The reasons of the POS state machine's rules (300…399), in code order.
    public static let posReasons: [LedgerRejection.Reason] = POSReason.allCases.map { .init(pos: $0) }

    public static let unknownSKU = LedgerRejection.Reason(pos: .unknownSKU)
    public static let priceMismatch = LedgerRejection.Reason(pos: .priceMismatch)
    public static let totalsMismatch = LedgerRejection.Reason(pos: .totalsMismatch)
    public static let numberOutOfSequence = LedgerRejection.Reason(pos: .numberOutOfSequence)
    public static let shiftNotOpen = LedgerRejection.Reason(pos: .shiftNotOpen)
    public static let shiftAlreadyOpen = LedgerRejection.Reason(pos: .shiftAlreadyOpen)
    public static let tendersMismatch = LedgerRejection.Reason(pos: .tendersMismatch)
    public static let invalidTender = LedgerRejection.Reason(pos: .invalidTender)
    public static let unknownMember = LedgerRejection.Reason(pos: .unknownMember)
    public static let memberAlreadyEnrolled = LedgerRejection.Reason(pos: .memberAlreadyEnrolled)
    public static let insufficientPoints = LedgerRejection.Reason(pos: .insufficientPoints)
    public static let unknownOriginal = LedgerRejection.Reason(pos: .unknownOriginal)
    public static let refundExceedsSale = LedgerRejection.Reason(pos: .refundExceedsSale)
    public static let voidNotAllowed = LedgerRejection.Reason(pos: .voidNotAllowed)
    public static let stockCountMismatch = LedgerRejection.Reason(pos: .stockCountMismatch)
    public static let transferMismatch = LedgerRejection.Reason(pos: .transferMismatch)
    public static let voucherAlreadyRedeemed = LedgerRejection.Reason(pos: .voucherAlreadyRedeemed)
    public static let closingMismatch = LedgerRejection.Reason(pos: .closingMismatch)
    public static let shiftsStillOpen = LedgerRejection.Reason(pos: .shiftsStillOpen)
    public static let timestampOutOfWindow = LedgerRejection.Reason(pos: .timestampOutOfWindow)
    public static let pricingRefused = LedgerRejection.Reason(pos: .pricingRefused)
    public static let contractRefused = LedgerRejection.Reason(pos: .contractRefused)
    public static let allowanceExceeded = LedgerRejection.Reason(pos: .allowanceExceeded)
    public static let staleAllowance = LedgerRejection.Reason(pos: .staleAllowance)
    public static let claimAlreadyUsed = LedgerRejection.Reason(pos: .claimAlreadyUsed)
    public static let lotRecalled = LedgerRejection.Reason(pos: .lotRecalled)
    public static let lotAlreadyRecalled = LedgerRejection.Reason(pos: .lotAlreadyRecalled)

    private init(pos reason: POSReason) { self.init(declaring: reason.rawValue, name: "\(reason)") }
}
