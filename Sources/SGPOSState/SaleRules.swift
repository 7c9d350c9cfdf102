import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail

extension POSTransition {
    /// A sale: numbered, re-priced and compared field by field, tenders checked, then
    /// stock, loyalty, shift cash and the outlet's totals move.
    mutating func sale(_ sale: Sale, _ state: inout StateOverlay) throws {
        try require([.till], "a sale")
        var books = try state.outletBooks(outlet)
        var shift = try openShift(state)
        guard sale.receiptNumber == shift.lastReceiptNumber + 1 else {
            throw reject(.numberOutOfSequence, "receipt number \(sale.receiptNumber) is out of sequence; till \(signer.principal)'s next is \(shift.lastReceiptNumber + 1)")
        }
        try checkLots(sale.lots, lines: sale.lines.map { StockLine(sku: $0.sku, quantity: $0.quantity) }, state)
        try refuseRecalled(sale.lots, state)
        let calculator = try calculator(state)
        let priced = try calculator.price(
            lines: sale.lines.map { StockLine(sku: $0.sku, quantity: $0.quantity) }, memberID: sale.memberID,
            redeemPoints: sale.pointsRedeemed, atMs: atMs, state: state, codes: sale.codes)
        var expected = try calculator.sale(priced, receiptNumber: sale.receiptNumber, training: sale.training, tenders: sale.tenders)
        expected.lots = sale.lots  // inputs of the sale, not of its pricing
        try SaleComparison.requireEqual(recorded: sale, computed: expected)
        try checkTenders(sale.tenders, payable: sale.amountPayable, pointsRedeemed: sale.pointsRedeemed,
                         pointsTender: priced.quote.pointsTender.cents, settings: calculator.settings, memberID: sale.memberID, state)
        shift.lastReceiptNumber = sale.receiptNumber
        guard !sale.training else {
            books.period.trainingCount += 1
            state.store(books, at: .books(outlet: outlet))
            state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
            return
        }
        let pricing = try capturePricing(sale, settings: calculator.settings, ruleRecord: sale.ruleRecord, &state)
        try applyCoupons(sale, priced, &state)
        for line in sale.lines { try changeStock(line.sku, by: -line.quantity, &state) }
        let eligible = SaleCalculator.eligibleSpend(sale, priced)
        if !sale.memberID.isEmpty {
            var account = try member(sale.memberID, state)
            account.debit(sale.pointsRedeemed + priced.rewardPoints)
            account.pointsRedeemedTotal += sale.pointsRedeemed + priced.rewardPoints
            if sale.pointsEarned > 0 {
                account.credit(sale.pointsEarned, expiresOn: SaleCalculator.expiryDay(
                    earnedAtMs: atMs, months: calculator.settings.pointsExpiryMonths, rounding: calculator.settings.pointsExpiry))
                account.pointsEarnedTotal += sale.pointsEarned
            }
            account.lifetimeSpend += eligible
            if calculator.settings.tierReviewMonths > 0, var period = account.period {
                // Tier review (FORMAT.md §13.3): the period's spend lifts the tier, never lowers it.
                period.spend += eligible
                account.period = period
                account.tier = max(account.tier, LoyaltyTier.forSpend(period.spend).rawValue, priced.tierChange ?? 0)
            } else {
                account.tier = try SaleCalculator.tier(lifetimeSpend: account.lifetimeSpend, ruleTier: priced.tierChange)
            }
            try storeMember(account, sale.memberID, &state)
        }
        for increment in priced.counterIncrements {
            let key = StateKey.ruleCounter(rule: increment.rule, counter: increment.counter, member: increment.member)
            let current = try state.ruleCounter(rule: increment.rule, counter: increment.counter, member: increment.member)
            state.put(key, RuleDeployment.counterBytes(current + increment.by))
        }
        for tender in sale.tenders {
            if case .voucher(let id, _) = tender, !(try moveGiftCard(tender, paying: true, &state)) { state.put(.voucher(id), transactionID.bytes) }
            if tender.kind == .cash { shift.cashSales += tender.amount }
            books.period.add(tender: tender.kind, amount: tender.amount)
        }
        shift.salesCount += 1
        books.period.salesCount += 1
        books.period.salesTotal += sale.total
        books.period.discountTotal += sale.discount
        books.period.roundingTotal += sale.rounding
        books.period.grandTotalSales += sale.total
        books.period.add(lines: sale.lines.map { ($0.taxCategory, $0.paid, $0.gst) }, rate: sale.gstBasisPoints, sign: 1)
        state.store(books, at: .books(outlet: outlet))
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
        state.store(SaleRecord(
            till: signer.principal, shiftNumber: shift.number, memberID: sale.memberID,
            gstBasisPoints: sale.gstBasisPoints, total: sale.total, discount: sale.discount, rounding: sale.rounding,
            pointsEarned: sale.pointsEarned, pointsRedeemed: sale.pointsRedeemed, eligible: eligible,
            lines: sale.lines.map {
                SaleRecord.Line(sku: $0.sku, taxCategory: $0.taxCategory, quantity: $0.quantity, amount: $0.paid, gst: $0.gst)
            },
            tenders: sale.tenders), at: .sale(transactionID))
        if let pricing { state.store(pricing, at: .salePricing(transactionID)) }
        try sellLots(sale, &state)
    }

    /// Tenders must add up to the amount payable exactly; change only from cash; card
    /// data masked; vouchers once; points as a tender only when the chain says so.
    func checkTenders(
        _ tenders: [Tender], payable: Int64, pointsRedeemed: Int64, pointsTender: Int64, settings: RetailSettings,
        memberID: String, refund: Bool = false, _ state: some StateReader
    ) throws {
        guard !tenders.isEmpty || payable == 0 else {
            throw reject(.tendersMismatch, "no tenders for \(cents(payable)) payable")
        }
        var sum: Int64 = 0
        var vouchers: [String] = []
        var pointsTenders = 0
        for (index, tender) in tenders.enumerated() {
            var label: String { "tender \(index + 1) (\(tender.kind.name))" }  // built only for a message
            switch tender {
            case .cash(let tendered, let change):
                try requirePositive(tendered, "\(label) tendered")
                guard change >= 0, change < tendered else {
                    throw reject(.invalidTender, "\(label): change \(cents(change)) must be 0 or more and less than the \(cents(tendered)) tendered")
                }
            case .nets(let card), .card(let card):
                try requirePositive(card.amount, "\(label) amount")
                if let problem = card.problem { throw reject(.invalidTender, "\(label): \(problem)") }
            case .payNow(let amount, _, let billReference, let source):
                try requirePositive(amount, "\(label) amount")
                try requireText(billReference, "\(label) bill reference", max: 25)
                try requireText(source, "\(label) confirmation source", max: POSLimits.referenceBytesMax)
            case .voucher(let id, let amount):
                try requirePositive(amount, "\(label) amount")
                try requireText(id, "\(label) voucher id", max: POSLimits.referenceBytesMax)
                guard !vouchers.contains(id) else { throw reject(.voucherAlreadyRedeemed, "\(label): voucher \(id) is in the tenders twice") }
                vouchers.append(id)
                if let card = try state.giftCard(code: id) {
                    // A gift card or e-wallet: its holder, and (paying) its balance.
                    guard card.memberID.isEmpty || card.memberID == memberID else {
                        throw reject(.invalidField, "\(label): this card is member \(card.memberID)'s e-wallet")
                    }
                    guard refund || amount <= card.balance else {
                        throw reject(.tendersMismatch, "\(label): the card holds \(cents(card.balance)); \(cents(amount)) cannot be paid from it")
                    }
                } else if try state.read(.voucher(id)) != nil {
                    throw reject(.voucherAlreadyRedeemed, "\(label): voucher \(id) was already redeemed")
                }
            case .points(let points, let amount):
                pointsTenders += 1
                guard settings.redemptionIsTender, points == pointsRedeemed, amount == pointsTender, pointsTenders == 1 else {
                    throw reject(.invalidTender, "\(label): points pay only when redemption is a tender, once, for the \(pointsRedeemed) points redeemed (worth \(cents(pointsTender)))")
                }
                try requirePositive(amount, "\(label) amount")
            }
            sum += tender.amount
        }
        guard pointsTender == 0 || pointsTenders == 1 else {
            throw reject(.tendersMismatch, "\(pointsRedeemed) points redeemed as a tender need a points tender")
        }
        guard sum == payable else {
            throw reject(.tendersMismatch, "tenders add up to \(cents(sum)); the amount payable is \(cents(payable))")
        }
    }

    mutating func storeMember(_ account: MemberAccount, _ id: String, _ state: inout StateOverlay) throws {
        guard account.lots.count <= POSLimits.lotsMax else {
            throw reject(.invalidField, "member \(id) would hold more than \(POSLimits.lotsMax) point lots")
        }
        state.store(account, at: .member(id))
    }

    /// A refund against an earlier sale: amounts and GST at the original rate, in
    /// proportion to the units returned; the last units take what is left exactly.
    mutating func refund(_ refund: Refund, _ state: inout StateOverlay) throws {
        try require([.till], "a refund")
        var books = try state.outletBooks(outlet)
        var shift = try openShift(state)
        guard refund.creditNoteNumber == shift.lastCreditNoteNumber + 1 else {
            throw reject(.numberOutOfSequence, "credit note number \(refund.creditNoteNumber) is out of sequence; till \(signer.principal)'s next is \(shift.lastCreditNoteNumber + 1)")
        }
        try requireText(refund.reason, "refund reason", max: POSLimits.reasonBytesMax)
        guard let original = try state.saleRecord(refund.originalSale) else {
            throw reject(.unknownOriginal, "sale \(refund.originalSale) is not a (non-training) sale of outlet \(outlet)")
        }
        guard !original.voided else { throw reject(.unknownOriginal, "sale \(refund.originalSale) was voided") }
        guard !refund.lines.isEmpty else { throw reject(.invalidField, "a refund needs at least one line") }
        let pricing = try state.salePricing(refund.originalSale)
        let computed = try RefundPricing.compute(
            sale: original, saleID: refund.originalSale, pricing: pricing, units: refund.lines.map { ($0.lineIndex, $0.quantity) }, recorded: refund.lines,
            calculator: try calculator(state), state: state)
        guard refund.adjustments == computed.adjustments else {
            throw reject(.totalsMismatch, "adjustments recorded \(describe(refund.adjustments)); re-pricing the kept units gives \(describe(computed.adjustments))")
        }
        guard refund.gstBasisPoints == original.gstBasisPoints, refund.amount == computed.amount, refund.gst == computed.gst else {
            throw reject(.totalsMismatch, "refund totals recorded \(cents(refund.amount)) GST \(cents(refund.gst)) at \(refund.gstBasisPoints) bp; computed \(cents(computed.amount)) GST \(cents(computed.gst)) at the original \(original.gstBasisPoints) bp")
        }
        let amount = computed.amount
        let reversed = computed.pointsReversed
        guard refund.pointsReversed == reversed else {
            throw reject(.totalsMismatch, "points reversed recorded \(refund.pointsReversed); the refund takes back \(reversed)")
        }
        if refund.restock {
            for line in refund.lines { try changeStock(original.lines[Int(line.lineIndex)].sku, by: line.quantity, &state) }
        }
        for tender in refund.tenders {
            guard tender.kind != .points else { throw reject(.invalidTender, "refunds are not paid in points") }
            if case .cash(_, let change) = tender, change != 0 {
                throw reject(.invalidTender, "a cash refund gives no change")
            }
        }
        try checkTenders(refund.tenders, payable: amount, pointsRedeemed: 0, pointsTender: 0,
                         settings: try settings(state), memberID: original.memberID, refund: true, state)
        for tender in refund.tenders {
            if case .voucher(let id, _) = tender, !(try moveGiftCard(tender, paying: false, &state)) { state.put(.voucher(id), transactionID.bytes) }
            if tender.kind == .cash {
                guard tender.amount <= shift.expectedCash else {
                    throw reject(.invalidTender, "a cash refund of \(cents(tender.amount)) is more than the \(cents(shift.expectedCash)) expected in the drawer")
                }
                shift.cashRefunds += tender.amount
            }
            books.period.add(tender: tender.kind, amount: -tender.amount)
        }
        if !original.memberID.isEmpty {
            var account = try member(original.memberID, state)
            account.debit(min(reversed, account.balance))
            account.lifetimeSpend = max(0, account.lifetimeSpend - amount)
            try takeBackSpend(amount, from: &account, state)
            try storeMember(account, original.memberID, &state)
        }
        shift.lastCreditNoteNumber = refund.creditNoteNumber
        books.period.refundsCount += 1
        books.period.refundsTotal += amount
        books.period.grandTotalRefunds += amount
        books.period.add(lines: refund.lines.map { (original.lines[Int($0.lineIndex)].taxCategory, $0.amount, $0.gst) },
                         rate: original.gstBasisPoints, sign: -1)
        if !refund.adjustments.isEmpty {
            books.period.add(lines: refund.adjustments.map { (original.lines[Int($0.lineIndex)].taxCategory, $0.amount, $0.gst) },
                             rate: original.gstBasisPoints, sign: 1)
        }
        if var pricing, let kept = computed.keptMoves {
            try moveCounters(from: pricing.moves, to: kept, &state)
            pricing.moves = kept
            state.store(pricing, at: .salePricing(refund.originalSale))
        }
        state.store(books, at: .books(outlet: outlet))
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
        state.store(computed.record, at: .sale(refund.originalSale))
    }

    /// Moves each rule counter by what `kept` says less what `standing` said (FORMAT.md
    /// §13.5, refund), in the order of `standing` and then `kept`'s new entries.
    func moveCounters(from standing: [SaleRuleRecord.CounterMove], to kept: [SaleRuleRecord.CounterMove],
                      _ state: inout StateOverlay) throws {
        func same(_ a: SaleRuleRecord.CounterMove, _ b: SaleRuleRecord.CounterMove) -> Bool {
            a.rule == b.rule && a.counter == b.counter && a.member == b.member
        }
        var order = standing
        for move in kept where !order.contains(where: { same($0, move) }) { order.append(move) }
        for move in order {
            let was = standing.first { same($0, move) }?.by ?? 0
            let now = kept.first { same($0, move) }?.by ?? 0
            let (difference, overflow) = now.subtractingReportingOverflow(was)
            guard !overflow else { throw reject(.pricingRefused, "counter \(move.counter) of rule \(move.rule) overflows") }
            guard difference != 0 else { continue }
            let current = try state.ruleCounter(rule: move.rule, counter: move.counter, member: move.member)
            let (value, wrapped) = current.addingReportingOverflow(difference)
            guard !wrapped else { throw reject(.pricingRefused, "counter \(move.counter) of rule \(move.rule) overflows") }
            state.put(.ruleCounter(rule: move.rule, counter: move.counter, member: move.member), RuleDeployment.counterBytes(value))
        }
    }

    private func describe(_ adjustments: [RefundAdjustment]) -> String {
        adjustments.isEmpty ? "none" : adjustments.map { "line \($0.lineIndex) \(cents($0.amount)) GST \(cents($0.gst))" }.joined(separator: ", ")
    }

    /// A refund or void takes `amount` of spend back: the tier follows lifetime spend, or
    /// under tier review the period's spend, never below the tier the period began with.
    func takeBackSpend(_ amount: Int64, from account: inout MemberAccount, _ state: some StateReader) throws {
        if try settings(state).tierReviewMonths > 0, var period = account.period {
            period.spend = max(0, period.spend - amount)
            account.period = period
            account.tier = max(period.tier, LoyaltyTier.forSpend(period.spend).rawValue)
        } else {
            account.tier = LoyaltyTier.forLifetimeSpend(try Money(cents: account.lifetimeSpend)).rawValue
        }
    }

    /// Cancels a whole sale of this till in its still-open shift.
    mutating func void(_ void: SaleVoid, _ state: inout StateOverlay) throws {
        try require([.till], "a void")
        try requireText(void.reason, "void reason", max: POSLimits.reasonBytesMax)
        guard var original = try state.saleRecord(void.originalSale) else {
            throw reject(.unknownOriginal, "sale \(void.originalSale) is not a (non-training) sale of outlet \(outlet)")
        }
        var shift = try openShift(state)
        guard !original.voided, !original.hasRefunds, original.till == signer.principal,
            original.shiftNumber == shift.number
        else {
            throw reject(.voidNotAllowed, "sale \(void.originalSale) can be voided only once, without refunds, by its till (\(original.till)) in its shift (\(original.shiftNumber)); refund it instead")
        }
        for line in original.lines { try changeStock(line.sku, by: line.quantity, &state) }
        if !original.memberID.isEmpty {
            var account = try member(original.memberID, state)
            account.debit(min(original.pointsEarned, account.balance))
            if original.pointsRedeemed > 0 {
                let settings = try settings(state)
                account.credit(original.pointsRedeemed, expiresOn: SaleCalculator.expiryDay(earnedAtMs: atMs, months: settings.pointsExpiryMonths, rounding: settings.pointsExpiry))
                account.pointsRedeemedTotal -= original.pointsRedeemed
            }
            account.lifetimeSpend = max(0, account.lifetimeSpend - original.eligible)
            try takeBackSpend(original.eligible, from: &account, state)
            try storeMember(account, original.memberID, &state)
        }
        var books = try state.outletBooks(outlet)
        for tender in original.tenders {
            if case .voucher(let id, _) = tender, !(try moveGiftCard(tender, paying: false, &state)) { state.put(.voucher(id), nil) }
            if tender.kind == .cash { shift.cashSales -= tender.amount }
            books.period.add(tender: tender.kind, amount: -tender.amount)
        }
        books.period.voidsCount += 1
        books.period.voidsTotal += original.total
        books.period.grandTotalVoids += original.total
        books.period.add(lines: original.lines.map { ($0.taxCategory, $0.amount, $0.gst) }, rate: original.gstBasisPoints, sign: -1)
        original.voided = true
        try voidCoupons(void.originalSale, &state)
        if var pricing = try state.salePricing(void.originalSale) {
            try moveCounters(from: pricing.moves, to: [], &state)
            pricing.moves = []
            state.store(pricing, at: .salePricing(void.originalSale))
        }
        state.store(books, at: .books(outlet: outlet))
        state.store(shift, at: .shift(outlet: outlet, till: signer.principal))
        state.store(original, at: .sale(void.originalSale))
        try voidLots(void.originalSale, &state)
    }
}

/// Compares a signed sale with the one the calculator produced, naming the first field
/// that differs.
enum SaleComparison {
    static func requireEqual(recorded: Sale, computed: Sale) throws {
        guard recorded != computed else { return }
        guard recorded.lines.count == computed.lines.count else {
            throw reject(.totalsMismatch, "the sale has \(recorded.lines.count) lines; pricing gives \(computed.lines.count)")
        }
        for (index, (mine, theirs)) in zip(recorded.lines, computed.lines).enumerated() where mine != theirs {
            var label: String { "line \(index + 1) (\(mine.sku))" }  // built only for a message
            if mine.unitPrice != theirs.unitPrice || mine.category != theirs.category
                || mine.priceIncludesGST != theirs.priceIncludesGST || mine.taxCategory != theirs.taxCategory {
                throw reject(.priceMismatch, "\(label): recorded \(cents(mine.unitPrice)) in \"\(mine.category)\" (\(mine.taxCategory.code)); the price list says \(cents(theirs.unitPrice)) in \"\(theirs.category)\" (\(theirs.taxCategory.code))")
            }
            throw reject(.totalsMismatch, "\(label): recorded net \(cents(mine.net)) GST \(cents(mine.gst)) discounts \(mine.discounts.map { "\($0.rule) \(cents($0.amount))" }); pricing gives net \(cents(theirs.net)) GST \(cents(theirs.gst)) discounts \(theirs.discounts.map { "\($0.rule) \(cents($0.amount))" })")
        }
        let fields: [(String, Int64, Int64)] = [
            ("GST rate (bp)", Int64(recorded.gstBasisPoints), Int64(computed.gstBasisPoints)),
            ("subtotal", recorded.subtotal, computed.subtotal), ("discount", recorded.discount, computed.discount),
            ("GST", recorded.gst, computed.gst), ("total", recorded.total, computed.total),
            ("cash rounding", recorded.rounding, computed.rounding),
            ("points earned", recorded.pointsEarned, computed.pointsEarned),
        ]
        for (name, mine, theirs) in fields where mine != theirs {
            throw reject(.totalsMismatch, "\(name): recorded \(mine), pricing gives \(theirs)")
        }
        if recorded.ruleRecord != computed.ruleRecord {
            throw reject(.totalsMismatch, "rule record: recorded \(describe(recorded.ruleRecord)); the rules give \(describe(computed.ruleRecord))")
        }
        if recorded.skipped != computed.skipped {
            let describe = { (skipped: [SkippedRule]) in skipped.isEmpty ? "none" : skipped.map { "\($0.rule): \($0.reason)" }.joined(separator: "; ") }
            throw reject(.totalsMismatch, "skip reasons: recorded \(describe(recorded.skipped)); the rules give \(describe(computed.skipped))")
        }
        throw reject(.totalsMismatch, "the sale differs from its pricing")
    }

    private static func describe(_ record: SaleRuleRecord?) -> String {
        guard let record else { return "none" }
        let moves = record.counters.map { "\($0.rule).\($0.counter)[\($0.member)] +\($0.by)" }.joined(separator: ", ")
        return "reward points \(record.rewardPoints), tier \(record.tier), counters [\(moves)]"
    }
}
