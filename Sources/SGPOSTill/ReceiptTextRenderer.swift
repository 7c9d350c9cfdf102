import SGPOSRetail
import SGPOSState

/// Renders a receipt as plain text for 42- or 48-column printers (80 mm paper, font A
/// / font B), with every particular IRAS asks of a simplified or full tax invoice or a
/// credit note. The devices module turns the same document into ESC/POS.
public struct ReceiptTextRenderer: Sendable {
    public let columns: Int

    public init(columns: Int) {
        precondition(columns == 42 || columns == 48, "receipt printers have 42 or 48 columns")
        self.columns = columns
    }

    public func render(_ receipt: ReceiptDocument) -> [String] {
        var out: [String] = []
        let rule = String(repeating: "-", count: columns)
        out.append(center(receipt.merchant.legalName))
        for line in receipt.merchant.addressLines { out.append(center(line)) }
        out.append(center("GST Reg No: \(receipt.merchant.gstRegistrationNumber)"))
        out.append(center(receipt.outletName))
        out.append(rule)
        switch receipt.kind {
        case .simplifiedTaxInvoice: out.append(center("SIMPLIFIED TAX INVOICE"))
        case .taxInvoice: out.append(center("TAX INVOICE"))
        case .creditNote: out.append(center("CREDIT NOTE"))
        }
        if receipt.training { out.append(center("*** TRAINING - NOT A TAX INVOICE ***")) }
        out.append(pair(receipt.kind == .creditNote ? "Credit note no" : "Invoice no", receipt.number))
        if let original = receipt.originalNumber { out.append(pair("Original invoice", original)) }
        if let reason = receipt.reason { out.append(contentsOf: wrap("Reason: \(reason)")) }
        out.append(pair("Date", receipt.issuedAt))
        out.append(pair("Till", receipt.till))
        if let customer = receipt.customer {
            out.append(contentsOf: wrap("Customer: \(customer.name)"))
            for line in customer.addressLines { out.append(contentsOf: wrap("  \(line)")) }
        }
        out.append(rule)
        let full = receipt.kind != .simplifiedTaxInvoice
        // IRAS: an invoice with supplies that are not standard-rated marks each line's
        // treatment and shows the total of each kind of supply separately.
        let mixed = receipt.lines.contains { $0.taxCategory != .standardRated }
        for line in receipt.lines {
            out.append(contentsOf: wrap(line.description))
            let detail = "  \(line.quantity) x \(money(line.unitPrice))" + (mixed ? " \(line.taxCategory.code)" : "")
            out.append(pair(detail, money(line.amount + line.discounts.reduce(0) { $0 + $1.amount })))
            for discount in line.discounts { out.append(pair("  less \(discount.rule)", "-" + money(discount.amount))) }
            for lot in line.lots { out.append(contentsOf: wrap("  lot \(lot)")) }
            if full { out.append(pair("  excl. GST", money(line.amountExcludingGST))) }
        }
        out.append(rule)
        if !receipt.keptRepriced.isEmpty {
            // A re-priced return (FORMAT.md §13.5): the kept items no longer earn the
            // promotion they had, and the refund says by how much.
            out.append(pair("Returned items", money(receipt.lines.reduce(0) { $0 + $1.amount })))
            for kept in receipt.keptRepriced {
                out.append(pair("Kept \(kept.description) re-priced", (kept.amount > 0 ? "-" : "+") + money(abs(kept.amount))))
            }
        }
        if receipt.discount != 0 {
            out.append(pair("Subtotal", money(receipt.subtotal)))
            out.append(pair("Discounts", "-" + money(receipt.discount)))
        }
        out.append(pair(receipt.kind == .creditNote ? "TOTAL CREDITED" : "TOTAL", money(receipt.total)))
        if receipt.rounding != 0 {
            out.append(pair("Cash rounding", money(receipt.rounding)))
            out.append(pair("AMOUNT PAYABLE", money(receipt.total + receipt.rounding)))
        }
        let rate = "\(receipt.gstBasisPoints / 100)" + (receipt.gstBasisPoints % 100 == 0 ? "" : ".\(receipt.gstBasisPoints % 100)")
        if mixed {
            for category in TaxCategory.allCases {
                let of = receipt.lines.filter { $0.taxCategory == category }
                guard !of.isEmpty else { continue }
                let label = category == .standardRated ? "SR supplies (GST \(rate)%)" : "\(category.code) \(category.label) supplies"
                out.append(pair(label, money(of.reduce(0) { $0 + $1.amount })))
            }
        }
        if full {
            out.append(pair("Total excl. GST", money(receipt.total - receipt.gst)))
            out.append(pair("GST @ \(rate)%", money(receipt.gst)))
            out.append(pair("Total incl. GST", money(receipt.total)))
        } else {
            out.append(pair("GST \(rate)% included", money(receipt.gst)))
            out.append(center("Price payable includes GST"))
        }
        out.append(rule)
        for tender in receipt.tenders { out.append(contentsOf: tenderLines(tender, refund: receipt.kind == .creditNote)) }
        if !receipt.memberID.isEmpty {
            out.append(rule)
            out.append(pair("Member", receipt.memberID))
            if receipt.pointsRedeemed != 0 { out.append(pair("Points redeemed", "\(receipt.pointsRedeemed)")) }
            if receipt.rewardPoints != 0 { out.append(pair("Points for rewards", "\(receipt.rewardPoints)")) }
            out.append(pair("Points earned", "\(receipt.pointsEarned)"))
        }
        let promotionCodes = receipt.codes.filter { !receipt.couponsUsed.contains($0) }
        if !promotionCodes.isEmpty { out.append(pair("Promotion code", promotionCodes.joined(separator: ", "))) }
        for code in receipt.couponsUsed { out.append(pair("Coupon used", code)) }
        for coupon in receipt.couponsIssued {
            out.append(rule)
            out.append(contentsOf: wrap("Your coupon for next time (\(coupon.campaign)), valid until \(coupon.validUntil) at this outlet:"))
            out.append(center(coupon.code))
        }
        if !receipt.notApplied.isEmpty {
            // Why a promotion the customer may have expected did not apply (its rule's skip reason).
            out.append(rule)
            for skipped in receipt.notApplied { out.append(contentsOf: wrap("Not applied: \(skipped.reason) (\(skipped.rule))")) }
        }
        out.append(rule)
        out.append(center("Verify this receipt: scan the QR code"))
        out.append(contentsOf: wrap(receipt.qr.description, hard: true))
        return out
    }

    private func tenderLines(_ tender: Tender, refund: Bool) -> [String] {
        let verb = refund ? "Refunded" : "Paid"
        switch tender {
        case .cash(let tendered, let change):
            return change == 0 ? [pair("\(verb) cash", money(tendered))]
                : [pair("Cash tendered", money(tendered)), pair("Change", money(change))]
        case .nets(let card), .card(let card):
            return [pair("\(verb) \(card.scheme.uppercased()) \(card.maskedPAN.suffix(4))", money(card.amount)),
                    pair("  Appr \(card.approvalCode)", "RRN \(card.rrn)")]
        case .payNow(let amount, _, let reference, _):
            return [pair("\(verb) PayNow", money(amount)), pair("  Ref", reference)]
        case .voucher(let id, let amount):
            return [pair("Voucher \(id)", money(amount))]
        case .points(let points, let amount):
            return [pair("Points (\(points))", money(amount))]
        }
    }

    private func money(_ cents: Int64) -> String {
        let magnitude = cents.magnitude
        return (cents < 0 ? "-" : "") + "\(magnitude / 100)." + (magnitude % 100 < 10 ? "0" : "") + "\(magnitude % 100)"
    }

    /// Left text and right text on one line (the left is cut if both do not fit).
    private func pair(_ left: String, _ right: String) -> String {
        let room = max(0, columns - right.count - 1)
        let cut = left.count > room ? String(left.prefix(room)) : left
        return cut + String(repeating: " ", count: columns - cut.count - right.count) + right
    }

    private func center(_ text: String) -> String {
        let cut = String(text.prefix(columns))
        return String(repeating: " ", count: (columns - cut.count) / 2) + cut
    }

    /// Words wrapped to the width; `hard` breaks anywhere (the QR payload).
    private func wrap(_ text: String, hard: Bool = false) -> [String] {
        var lines: [String] = []
        if hard {
            var rest = Substring(text)
            while !rest.isEmpty {
                lines.append(String(rest.prefix(columns)))
                rest = rest.dropFirst(columns)
            }
            return lines
        }
        var current = ""
        for word in text.split(separator: " ") {
            if current.isEmpty {
                current = String(word.prefix(columns))
            } else if current.count + 1 + word.count <= columns {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word.prefix(columns))
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
