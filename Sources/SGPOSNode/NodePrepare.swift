import Foundation
import Hummingbird
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSClient

extension API.PrepareRequest {
    /// The application layer's request; malformed fields are ``RequestError``s.
    /// `outgoingHalf` finds a transfer's source outlet and lines (for a transfer-in);
    /// `nowMs` is the default first active time of a rule deployment.
    func operation(nowMs: Int64, outgoingHalf: (TransferID) throws -> (OutletID, [StockLine])?) throws -> SGPOSOperations.PrepareRequest {
        try checkFields()
        let payment = try self.payment?.payment() ?? .cash(tendered: nil)
        switch kind {
        case "sale":
            return .sale(lines: (lines ?? []).map { StockLine(sku: $0.sku, quantity: $0.qty) }, memberID: memberId ?? "",
                         redeemPoints: redeemPoints ?? 0, codes: codes ?? [], payment: payment, training: training ?? false,
                         scans: scans ?? [])
        case "refund":
            guard let saleID = sale.flatMap(Hash256.init(hex:)) else {
                throw RequestError("refund needs \"sale\": the sale's transaction id (64 hex digits)")
            }
            return .refund(sale: saleID, units: (refundLines ?? []).map { RefundUnit(line: $0.line &- 1, quantity: $0.qty) },
                           reason: reason ?? "returned goods", restock: restock ?? true, payment: payment)
        case "shift-close":
            return .shiftClose(counted: try decimalCents(counted, "counted"))
        case "day-close":
            return .dayClose
        case "shift-open":
            return .shiftOpen(float: try decimalCents(float, "float"))
        case "void":
            guard let saleID = sale.flatMap(Hash256.init(hex:)) else {
                throw RequestError("void needs \"sale\": the sale's transaction id (64 hex digits)")
            }
            return .void(sale: saleID, reason: reason ?? "cancelled at the till")
        case "stock-receive":
            guard let reference, let lines else {
                throw LedgerRejection(.invalidField, "a stock-receive needs \"reference\" (the delivery order) and \"lines\"")
            }
            guard !lines.isEmpty else { throw LedgerRejection(.invalidField, "a stock-receive needs at least one line") }
            return .stockReceive(reference: reference, lines: lines.map { StockLine(sku: $0.sku, quantity: $0.qty) })
        case "stock-adjust":
            guard let sku, let delta, let reason else {
                throw LedgerRejection(.invalidField, "a stock-adjust needs \"sku\", \"delta\" and \"reason\"")
            }
            guard let adjustment = AdjustmentReason.allCases.first(where: { "\($0)" == reason }) else {
                throw LedgerRejection(.invalidField, "a stock adjustment's reason must be \(AdjustmentReason.allCases.map { "\($0)" }.joined(separator: ", "))")
            }
            return .stockAdjust(sku: sku, delta: delta, reason: adjustment, note: note ?? "")
        case "transfer-out":
            guard let to, let lines else { throw LedgerRejection(.invalidField, "a transfer-out needs \"to\" (an outlet id) and \"lines\"") }
            guard !lines.isEmpty else { throw LedgerRejection(.invalidField, "a transfer-out needs at least one line") }
            var generator = SystemRandomNumberGenerator()
            let id = TransferID(uncheckedBytes: (0..<TransferID.byteCount).map { _ in UInt8.random(in: 0...255, using: &generator) })
            return .transferOut(id: id, to: to, lines: lines.map { StockLine(sku: $0.sku, quantity: $0.qty) })
        case "transfer-in":
            guard let id = transfer.flatMap(Self.transferID) else {
                throw LedgerRejection(.invalidField, "a transfer-in needs \"transfer\": the transfer id (32 lower-case hex digits)")
            }
            guard let (source, lines) = try outgoingHalf(id) else {
                throw LedgerRejection(.transferMismatch, "no outlet chain this node holds has sent transfer \(transfer ?? "")")
            }
            return .transferIn(id: id, from: source, lines: lines)
        case "deploy-rule":
            guard let source else { throw LedgerRejection(.invalidField, "a deploy-rule needs \"source\": the rule's text") }
            // The schema bounds the source in characters; past 64 KiB of UTF-8, or a date
            // that does not exist, the request is well formed and refused (422).
            do {
                return .deployRule(try RuleBuilder.deployment(source: source, activeFrom: activeFrom, nowMs: nowMs))
            } catch {
                throw LedgerRejection(.invalidField, error.message)
            }
        default:
            throw RequestError("kind must be sale, refund, void, shift-open, shift-close, day-close, stock-receive, stock-adjust, transfer-out, transfer-in or deploy-rule")
        }
    }
}

extension API.PrepareRequest {
    /// Checks the form of every field given, whatever the kind uses (docs/openapi.json's
    /// `PrepareRequest`): a field the kind ignores is still refused when malformed.
    func checkFields() throws(RequestError) {
        if let till { try RequestLimits.principal(till) }
        if let memberId { try RequestLimits.memberID(memberId) }
        if let lines { try API.QuoteRequest.checkLines(lines, allowEmpty: true) }
        if let refundLines {
            for (index, line) in refundLines.enumerated() where line.line < 1 || line.qty < 1 {
                throw RequestError("refundLines[\(index)]: line and qty are at least 1 (line is 1-based)")
            }
        }
        if let payment { try payment.checkFields() }
        if let codes { try RequestLimits.codes(codes) }
        if let scans {
            guard scans.count <= LotScan.scansMax else { throw RequestError("scans has \(scans.count) scans; the limit is \(LotScan.scansMax)") }
            for scan in scans where scan.isEmpty || scan.unicodeScalars.count > 128 { throw RequestError("each scan is 1-128 characters") }
        }
        if let counted { _ = try decimalCents(counted, "counted") }
        if let float { _ = try decimalCents(float, "float") }
        if let sale, Hash256(hex: sale) == nil { throw RequestError("sale must be a transaction id: 64 lower-case hex digits") }
        if let reason { try RequestLimits.reason(reason) }
        if let reference { try RequestLimits.identifier(reference, "reference", limit: POSLimits.referenceBytesMax) }
        if let sku { try RequestLimits.sku(sku) }
        if let note { try RequestLimits.reason(note, field: "note") }
        if let transfer, Self.transferID(transfer) == nil { throw RequestError("transfer must be a transfer id: 32 lower-case hex digits") }
        if let source, source.unicodeScalars.count > DeployRule.sourceBytesMax {
            throw RequestError("source is \(source.unicodeScalars.count) characters; the limit is \(DeployRule.sourceBytesMax)")
        }
        if let activeFrom, !Self.isRFC3339Shape(activeFrom) {
            throw RequestError("activeFrom must be RFC 3339: YYYY-MM-DDTHH:MM:SS, optional .fff, then Z or ±HH:MM")
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,3}](Z|±HH:MM)` by its characters (docs/openapi.json's
    /// pattern); whether the date exists is the deployment's check (422).
    static func isRFC3339Shape(_ text: String) -> Bool {
        let digit: (UInt8) -> Bool = { (48...57).contains($0) }
        var bytes = Array(text.utf8)[...]
        func take(_ shape: String) -> Bool {
            let pattern = Array(shape.utf8)
            guard bytes.count >= pattern.count else { return false }
            for (byte, want) in zip(bytes.prefix(pattern.count), pattern) where want == UInt8(ascii: "d") ? !digit(byte) : byte != want {
                return false
            }
            bytes = bytes.dropFirst(pattern.count)
            return true
        }
        guard take("dddd-dd-ddTdd:dd:dd") else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            let fraction = bytes.prefix { digit($0) }.count
            guard (1...3).contains(fraction) else { return false }
            bytes = bytes.dropFirst(fraction)
        }
        if bytes.elementsEqual("Z".utf8) { return true }
        guard let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return false }
        bytes = bytes.dropFirst()
        return take("dd:dd") && bytes.isEmpty
    }

    static func transferID(_ hex: String) -> TransferID? {
        guard hex.utf8.count == 2 * TransferID.byteCount, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
              let bytes = Hex.decode(hex) else { return nil }
        return TransferID(uncheckedBytes: bytes)
    }
}

extension NodeAPI {
    func prepare(_ data: [UInt8], caller: Caller?) throws -> Response {
        let request = try decodeJSON(API.PrepareRequest.self, data)
        if let till = request.till { try requireOwnTill(caller, till) }
        let nowMs = Int64(wallClockMs())
        do {
            let operation: SGPOSOperations.PrepareRequest
            do {
                operation = try request.operation(nowMs: nowMs, outgoingHalf: outgoingHalf)
            } catch let error as RequestError {
                throw HTTPError(.badRequest, message: error.message)
            }
            // The till's own kinds name the till; the back office's are the caller's own.
            let principal = request.till ?? caller?.record.principal ?? ""
            let prepared = try node.withState(of: node.outletID) { state in
                try SaleBuilder(genesis: node.genesis, outlet: node.outletID, principal: principal)
                    .prepare(operation, atMs: nowMs, state: state)
            }
            if let payment = request.payment, payment.kind == "paynow", payment.payNowPayload != nil {
                // The code the customer paid must be an SGQR payload of this reference and amount.
                let terms: (amount: String, reference: String)
                do { terms = try payment.payNowTerms()! } catch {
                    return problem(.unprocessableContent, "rejected", 306, error.message)
                }
                guard terms.reference == payment.billReference else {
                    return problem(.unprocessableContent, "rejected", 306,
                                   "payment.payNowPayload carries reference \"\(terms.reference)\", not billReference \"\(payment.billReference ?? "")\"")
                }
                guard (try? Money(decimal: terms.amount).cents) == prepared.amount else {
                    return problem(.unprocessableContent, "rejected", 306,
                                   "the PayNow payload is for S$\(terms.amount), the sale is S$\(decimal(prepared.amount)): show a new code")
                }
            }
            return try json(API.PrepareResponse(bodyType: prepared.body.typeCode, body: Hex.encode(prepared.body.payloadBytes),
                                                number: prepared.number, amount: decimal(prepared.amount)))
        } catch let rejection as LedgerRejection {
            return problem(.unprocessableContent, "rejected", Int(rejection.code), rejection.detail)
        } catch let error as RequestError {
            // What the builders refuse in a well-formed request (a reference too long for the ledger…).
            return problem(.unprocessableContent, "rejected", 0, error.message)
        }
    }

    /// The source outlet and lines of transfer `id` as the outgoing half on a chain this node holds records them.
    func outgoingHalf(_ id: TransferID) throws -> (OutletID, [StockLine])? {
        for outlet in node.genesis.outlets.map(\.id) where outlet != node.outletID {
            let sent = try node.withState(of: outlet) { state in
                try state.read(.transfer(id, outgoing: true)).map { try TransferRecord(canonicalBytes: $0) }
            }
            if let sent, sent.counterpart == node.outletID { return (outlet, sent.lines) }
        }
        return nil
    }
}

extension API.QuoteRequest {
    /// Every field's form (docs/openapi.json's `QuoteRequest`): 1–500 lines of 1–100,000
    /// units, points to redeem not below 0. Malformed is 400, before any pricing.
    func checkFields() throws(RequestError) {
        try Self.checkLines(lines, allowEmpty: false)
        if let memberId { try RequestLimits.memberID(memberId) }
        if let redeemPoints, redeemPoints < 0 { throw RequestError("redeemPoints is \(redeemPoints); it is at least 0") }
        if let codes { try RequestLimits.codes(codes) }
    }

    /// A basket's lines as `QuoteLine` states them: at most 500 (at least 1 unless
    /// `allowEmpty`), each SKU's form and 1...100,000 units.
    static func checkLines(_ lines: [Line], allowEmpty: Bool) throws(RequestError) {
        guard allowEmpty || !lines.isEmpty else { throw RequestError("lines is empty; a basket has 1-\(POSLimits.linesMax) lines") }
        try RequestLimits.lines(lines.map { StockLine(sku: $0.sku, quantity: $0.qty) })
        for (index, line) in lines.enumerated() where !(1...POSLimits.quantityMax).contains(line.qty) {
            throw RequestError("lines[\(index)].qty is \(line.qty); it is 1-\(POSLimits.quantityMax)")
        }
    }
}
