import SGPOSChain
import SGPOSCodec
import SGPOSRetail

extension POSTransition {
    mutating func enrol(_ body: LoyaltyEnrol, _ state: inout StateOverlay) throws {
        try require([.till, .operator], "an enrolment")
        try requireText(body.memberID, "member id", max: POSLimits.memberIDBytesMax)
        guard try state.memberAccount(body.memberID) == nil else {
            throw reject(.memberAlreadyEnrolled, "member \"\(body.memberID)\" is already enrolled")
        }
        state.store(MemberAccount(tier: LoyaltyTier.bronze.rawValue), at: .member(body.memberID))
    }

    mutating func adjustPoints(_ body: LoyaltyAdjust, _ state: inout StateOverlay) throws {
        try require([.operator], "a points adjustment")
        try requireText(body.reason, "adjustment reason", max: POSLimits.reasonBytesMax)
        guard body.delta != 0, body.delta.magnitude <= 100_000_000 else {
            throw reject(.invalidField, "points adjustment must be non-zero and within ±100000000")
        }
        var account = try member(body.memberID, state)
        if body.delta > 0 {
            let settings = try settings(state)
            account.credit(body.delta, expiresOn: SaleCalculator.expiryDay(earnedAtMs: atMs, months: settings.pointsExpiryMonths,
                                                                           rounding: settings.pointsExpiry))
            account.pointsEarnedTotal += body.delta
        } else {
            guard -body.delta <= account.balance else {
                throw reject(.insufficientPoints, "member \"\(body.memberID)\" has \(account.balance) points; cannot take \(-body.delta)")
            }
            account.debit(-body.delta)
            account.pointsRedeemedTotal += -body.delta
        }
        try storeMember(account, body.memberID, &state)
    }

    mutating func shiftOpen(_ body: ShiftOpen, _ state: inout StateOverlay) throws {
        try require([.till], "a shift-open")
        guard (0...POSLimits.floatCentsMax).contains(body.float) else {
            throw reject(.invalidField, "float \(body.float) cents must be 0...\(POSLimits.floatCentsMax)")
        }
        let previous = try state.shift(outlet: outlet, till: signer.principal)
        guard previous?.open != true else {
            throw reject(.shiftAlreadyOpen, "till \(signer.principal) already has shift \(previous!.number) open")
        }
        var books = try state.outletBooks(outlet)
        books.openShifts += 1
        state.store(books, at: .books(outlet: outlet))
        var shift = ShiftRecord(number: (previous?.number ?? 0) + 1, open: true, float: body.float)
        shift.lastReceiptNumber = previous?.lastReceiptNumber ?? 0
        shift.lastCreditNoteNumber = previous?.lastCreditNoteNumber ?? 0
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
    }

    mutating func cashMovement(_ body: CashMovement, incoming: Bool, _ state: inout StateOverlay) throws {
        try require([.till], incoming ? "a cash-in" : "a cash-out")
        try requirePositive(body.amount, "cash amount", max: 10_000_000)
        try requireText(body.reason, "cash movement reason", max: POSLimits.reasonBytesMax)
        var shift = try openShift(state)
        if incoming {
            shift.cashIn += body.amount
        } else {
            guard body.amount <= shift.expectedCash else {
                throw reject(.invalidField, "cash-out of \(cents(body.amount)) is more than the \(cents(shift.expectedCash)) expected in the drawer")
            }
            shift.cashOut += body.amount
        }
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
    }

    mutating func drawerOpen(_ body: DrawerOpen, _ state: inout StateOverlay) throws {
        try require([.till], "a drawer-open")
        try requireText(body.reason, "drawer-open reason", max: POSLimits.reasonBytesMax)
        var shift = try openShift(state)
        shift.drawerOpens += 1
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
    }

    mutating func shiftClose(_ body: ShiftClose, _ state: inout StateOverlay) throws {
        try require([.till], "a shift-close")
        var shift = try openShift(state)
        guard (0...POSLimits.countedCashCentsMax).contains(body.counted) else {
            throw reject(.invalidField, "counted cash \(body.counted) cents must be 0...\(POSLimits.countedCashCentsMax)")
        }
        guard body.expected == shift.expectedCash, body.variance == body.counted - shift.expectedCash else {
            throw reject(.closingMismatch, "recorded expected \(cents(body.expected)) variance \(cents(body.variance)); the shift expects \(cents(shift.expectedCash)), so the variance is \(cents(body.counted - shift.expectedCash))")
        }
        shift.open = false
        var books = try state.outletBooks(outlet)
        books.openShifts -= 1
        state.store(books, at: .books(outlet: outlet))
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
    }

    /// The Z-report: every figure must equal the accumulated period; then a new period
    /// starts and the perpetual totals carry on.
    mutating func dayClose(_ body: DayClose, _ state: inout StateOverlay) throws {
        try require([.operator], "a day-close")
        var books = try state.outletBooks(outlet)
        guard body.zNumber == books.lastZNumber + 1 else {
            throw reject(.numberOutOfSequence, "Z number \(body.zNumber) is out of sequence; the next is \(books.lastZNumber + 1)")
        }
        guard CivilTime.Date(iso: body.businessDate) != nil else {
            throw reject(.invalidField, "business date \"\(body.businessDate)\" is not YYYY-MM-DD")
        }
        guard books.openShifts == 0 else {
            throw reject(.shiftsStillOpen, "\(books.openShifts) shift(s) are still open; close them before the day")
        }
        guard body.totals == books.period else {
            throw reject(.closingMismatch, "Z-report totals differ from the books: recorded sales \(body.totals.salesCount)/\(cents(body.totals.salesTotal)), books \(books.period.salesCount)/\(cents(books.period.salesTotal)) (every figure must match)")
        }
        books.lastZNumber = body.zNumber
        books.period = books.period.nextPeriod
        state.store(books, at: .books(outlet: outlet))
    }
}
