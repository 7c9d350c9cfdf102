import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSDemo
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSReports
import SGPOSState
import SGPOSStore
import SGPOSTill
import SGPOSClient

/// `sgpos till`: what a till (or a manager at the back office) does, against a node's
/// data directory. Each command builds the exact transaction the state machine accepts,
/// signs it with the till's key, appends it durably, and prints the result (receipt,
/// credit note, Z-report). The HTTP node API (issue 5) will carry the same transactions.
struct TillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "till", abstract: "Sell, refund, void, run shifts and close the day on an outlet ledger.",
        subcommands: [Quote.self, Sell.self, Refund.self, Void.self, Shift.self, Prices.self, StockReceive.self,
                      Enrol.self, DayClose.self, Configure.self, Settings.self, DeployRule.self, PointRates.self, MemberMultiplier.self,
                      Coupons.self, GiftCard.self])

    /// Where to submit and who signs: shared by every till command.
    struct Connection: ParsableArguments {
        @Option(help: "Node data directory.") var data: String
        @Option(help: "The outlet's node key file (seals the block).") var nodeKey: String
        @Option(help: "Key file that signs: a till's (sales, refunds, shifts), an operator's (prices, stock, day-close) or an admin's (configure, deploy-rule).") var key: String
        @Option(help: "Idempotency id (32 hex digits). Retrying with the same id returns the first result, never a second transaction.")
        var idempotencyID: String?

        /// Opens the store, resumes the signer's session, runs `build` against the current
        /// state, appends the transaction as one block and returns it with its height. A
        /// retry whose idempotency id was already committed returns the committed
        /// transaction instead (and `build` is not trusted for its content).
        func submit(_ build: (inout TillSession, StoredState, Int64) throws -> POSBody) async throws -> (SignedTransaction, UInt64, LedgerStore) {
            var idempotency: IdempotencyID?
            if let idempotencyID {
                guard let parsed = IdempotencyID(hex: idempotencyID) else { throw CLIError("--idempotency-id must be 32 hex digits") }
                idempotency = parsed
            }
            let (store, committer, outletID) = try openCommitter(data: data, nodeKey: nodeKey, blockMax: 1)
            let signer = try KeyFile.load(key)
            let now = Int64(wallClockMs())
            if let idempotency, let first = try store.environment.read({ txn -> (SignedTransaction, UInt64)? in
                guard let location = try store.idempotentResult(outletID, idempotency, txn),
                    let first = try store.transaction(at: location, txn)
                else { return nil }
                return (first, location.height)
            }) {
                FileHandle.standardError.write(Data("already committed at height \(first.1) (idempotency id \(idempotency)); this is the first result\n".utf8))
                return (first.0, first.1, store)
            }
            let transaction: SignedTransaction = try store.environment.read { txn in
                let state = store.stateReader(outletID, txn)
                var session = try TillSession.resume(genesis: store.genesis, outlet: outletID, key: signer, state: state)
                let body = try build(&session, state, now)
                return session.sign(body, atMs: now, idempotency: idempotency)
            }
            switch try await committer.submit(transaction) {
            case .committed(let location):
                return (transaction, location.height, store)
            case .duplicate(let location):
                // Committed by a concurrent retry between the check above and the append.
                let first = try store.environment.read { try store.transaction(at: location, $0)! }
                return (first, location.height, store)
            case .rejected(let rejection):
                throw CLIError("refused (rule \(rejection.code)): \(rejection.detail)")
            }
        }
    }

    struct Basket: ParsableArguments {
        @Option(name: .customLong("item"), help: "SKU:QTY (repeat for each line).") var items: [String] = []
        @Option(help: "Loyalty member id.") var member: String = ""
        @Option(help: "Points to redeem.") var redeem: Int64 = 0
        @Option(name: .customLong("code"), help: "A promotion code keyed in (repeat for each; a deployed rule's has_code reads it).")
        var codes: [String] = []

        func lines() throws -> [StockLine] {
            guard !items.isEmpty else { throw CLIError("give at least one --item SKU:QTY") }
            return try items.map { try parseItem($0) }
        }
    }

    struct Quote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Price a basket from the outlet's price list (nothing is signed).")
        @Option(help: "Node data directory.") var data: String
        @OptionGroup var basket: Basket

        func run() async throws {
            let store = try openStore(data)
            let outlet = try outletOf(data)
            let priced = try store.environment.read { txn in
                try SaleBuilder(genesis: store.genesis, outlet: outlet, principal: "")
                    .quote(try basket.lines(), memberID: basket.member, redeemPoints: basket.redeem, codes: basket.codes,
                           atMs: Int64(wallClockMs()), state: store.stateReader(outlet, txn))
            }
            let quote = priced.quote
            for line in quote.lines {
                print("\(line.sku) \(line.quantity) x \(line.unitPrice.decimal) = \(line.gross.decimal)"
                      + (line.discount.cents > 0 ? " less \(line.discount.decimal)" : "") + "  GST \(line.gst.decimal)")
            }
            print("total \(quote.total.decimal) (GST \(quote.gst.decimal) at \(quote.gstBasisPoints) bp); due \(quote.amountDue.decimal)")
        }
    }

    struct Sell: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sell a basket, sign it, commit it and print the receipt.")
        @OptionGroup var connection: Connection
        @OptionGroup var basket: Basket
        @Option(help: "cash[:TENDERED] | card:TERMINAL:APPROVAL:RRN:MASKEDPAN:SCHEME | nets:TERMINAL:APPROVAL:RRN:MASKEDPAN | paynow:BILLREF | voucher:ID")
        var pay: String = "cash"
        @Flag(help: "Training sale: numbered, excluded from totals.") var training = false
        @Option(name: .customLong("scan"), help: "A GS1 barcode as scanned, e.g. \"(01)09556001234568(17)271231(10)L2611B\" (repeat): one unit with its lot.")
        var scans: [String] = []
        @Option(help: "Receipt width: 42 or 48 columns.") var columns: Int = 42
        @Option(help: "Merchant particulars (JSON: legalName, addressLines, gstRegistrationNumber); default: the outlet's genesis name and \"GST Reg No. not set\".") var merchant: String?

        func run() async throws {
            let payment = try parsePayment(pay)
            var sale: Sale?
            let (transaction, height, store) = try await connection.submit { session, state, now in
                let units = try scans.map { try LotScan.resolve($0, outlet: session.outlet, atMs: now, state: state) }
                let (lines, lots) = LotScan.basket(lines: scans.isEmpty ? try basket.lines() : try basket.items.map { try parseItem($0) }, scans: units)
                let built = try session.buildSale(lines, memberID: basket.member, redeemPoints: basket.redeem,
                                                  codes: basket.codes, payment: payment, training: training, lots: lots, atMs: now, state: state)
                sale = built
                return .sale(built)
            }
            let outlet = transaction.envelope.outletID
            let till = try store.environment.read { txn in
                try KeyRecord(canonicalBytes: try store.stateReader(outlet, txn).read(.key(transaction.envelope.signer))!).principal
            }
            if case .application(let type, let payload) = transaction.envelope.body,
                case .sale(let committed) = try POSBody.decode(type: type, payload: payload) {
                sale = committed  // on a retry: the first sale, not the one just built
            }
            var receipt = ReceiptDocument.sale(sale!, transaction: transaction, height: height, merchant: try loadMerchant(merchant, outletName: store.genesis.outlet(outlet)?.name ?? "outlet \(outlet)"),
                                               outletName: store.genesis.outlet(outlet)?.name ?? "outlet \(outlet)", till: till)
            try store.environment.read { txn in try receipt.addCoupons(ofSale: transaction.id, state: store.stateReader(outlet, txn)) }
            try printReceipt(receipt, columns: columns)
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refund units of an earlier sale; print the credit note.")
        @OptionGroup var connection: Connection
        @Option(help: "Transaction id of the sale (64 hex digits).") var sale: String
        @Option(name: .customLong("line"), help: "LINE:QTY, 1-based line of the sale (repeat).") var lines: [String]
        @Option(help: "Reason printed on the credit note.") var reason: String = "returned goods"
        @Flag(help: "Put the goods back in stock.") var restock = false
        @Option(help: "How the money goes back: cash or card:… as for sell.") var pay: String = "cash"
        @Option(help: "Credit note width: 42 or 48 columns.") var columns: Int = 42
        @Option(help: "Merchant particulars JSON.") var merchant: String?

        func run() async throws {
            guard let saleID = Hash256(hex: sale) else { throw CLIError("--sale must be 64 hex digits") }
            let units = try lines.map { text -> (line: UInt32, quantity: Int64) in
                let item = try parseItem(text)
                guard let index = UInt32(item.sku), index >= 1 else { throw CLIError("--line wants LINE:QTY with LINE from 1, got \(text)") }
                return (index - 1, item.quantity)
            }
            let payment = try parsePayment(pay)
            var built: SGPOSState.Refund?
            var original: SaleRecord?
            let (transaction, height, store) = try await connection.submit { session, state, _ in
                original = try state.saleRecord(saleID)
                let refund = try session.buildRefund(of: saleID, units: units, reason: reason, restock: restock,
                                                     refundTender: payment, state: state)
                built = refund
                return .refund(refund)
            }
            let outlet = transaction.envelope.outletID
            let (number, till) = try store.environment.read { txn in
                guard let saleTx = try store.storedTransaction(saleID, txn)?.signed,
                    case .application(let type, let payload) = saleTx.envelope.body,
                    case .sale(let sale) = try POSBody.decode(type: type, payload: payload)
                else { throw CLIError("\(saleID) is not a sale") }
                return (sale.receiptNumber, original!.till)
            }
            let refundingTill = try store.environment.read { txn in
                try KeyRecord(canonicalBytes: try store.stateReader(outlet, txn).read(.key(transaction.envelope.signer))!).principal
            }
            let note = ReceiptDocument.refund(built!, originalReceiptNumber: number, originalTill: till, originalLines: original!.lines,
                                              transaction: transaction, height: height,
                                              merchant: try loadMerchant(merchant, outletName: store.genesis.outlet(outlet)?.name ?? "outlet \(outlet)"),
                                              outletName: store.genesis.outlet(outlet)?.name ?? "outlet \(outlet)", till: refundingTill)
            try printReceipt(note, columns: columns)
        }
    }

    struct Void: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Void a whole sale of this till in its open shift.")
        @OptionGroup var connection: Connection
        @Option(help: "Transaction id of the sale.") var sale: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            guard let saleID = Hash256(hex: sale) else { throw CLIError("--sale must be 64 hex digits") }
            let (_, height, _) = try await connection.submit { _, _, _ in .void(SaleVoid(originalSale: saleID, reason: reason)) }
            print("sale \(saleID) voided in block \(height)")
        }
    }

    struct Shift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open or close the till's shift, or move cash in or out.")
        @OptionGroup var connection: Connection
        @Argument(help: "open | close | cash-in | cash-out") var action: String
        @Option(help: "Amount (open: float; close: counted cash; cash-in/out: amount), e.g. 200.00.") var amount: String
        @Option(help: "Reason for cash-in/out.") var reason: String = "float top-up"

        func run() async throws {
            let cents = try parseMoney(amount, "--amount")
            var closing: ShiftClose?
            let (_, height, _) = try await connection.submit { session, state, _ in
                switch action {
                case "open": return .shiftOpen(ShiftOpen(float: cents))
                case "close":
                    let close = try session.buildShiftClose(counted: cents, state: state)
                    closing = close
                    return .shiftClose(close)
                case "cash-in": return .cashIn(CashMovement(amount: cents, reason: reason))
                case "cash-out": return .cashOut(CashMovement(amount: cents, reason: reason))
                default: throw CLIError("action must be open, close, cash-in or cash-out")
                }
            }
            if let closing {
                print("shift closed in block \(height): counted \(money(closing.counted)), expected \(money(closing.expected)), variance \(money(closing.variance))")
            } else {
                print("\(action) committed in block \(height)")
            }
        }
    }

    struct Prices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set price-list entries from JSON: [{\"sku\", \"category\", \"unitPrice\": \"3.65\", \"priceIncludesGst\", \"taxCategory\": \"SR|ZR|ES|OS\", \"active\"}].")
        @OptionGroup var connection: Connection
        @Option(help: "JSON file.") var file: String

        func run() async throws {
            struct Entry: Decodable {
                let sku: String; let category: String?; let unitPrice: String; let priceIncludesGst: Bool?; let taxCategory: String?
                let active: Bool?
            }
            let entries = try JSON.read([Entry].self, path: file, what: "price list").map {
                guard let tax = TaxCategory(code: $0.taxCategory ?? "SR") else {
                    throw CLIError("price list: taxCategory of \($0.sku) is \($0.taxCategory ?? ""); it must be SR, ZR, ES or OS")
                }
                return PriceEntry(sku: $0.sku, category: $0.category ?? "", unitPrice: try parseMoney($0.unitPrice, "unitPrice of \($0.sku)"),
                                  priceIncludesGST: $0.priceIncludesGst ?? true, taxCategory: tax, active: $0.active ?? true)
            }
            let prices: SetPrices
            do { prices = try PriceListBuilder.build(entries) } catch { throw CLIError("price list: \(error.message)") }
            let (_, height, _) = try await connection.submit { _, _, _ in .setPrices(prices) }
            print("\(entries.count) price(s) set in block \(height)")
        }
    }

    struct StockReceive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stock-receive", abstract: "Record goods received.")
        @OptionGroup var connection: Connection
        @Option(help: "Delivery order or invoice number.") var reference: String
        @Option(name: .customLong("item"), help: "SKU:QTY, or SKU:QTY:UNIT-COST (dollars excl. GST) with --supplier (repeat).") var items: [String]
        @Option(help: "The supplier on the tax invoice; with it every --item gives a unit cost and --input-gst the invoice's GST (GST F5 boxes 5 and 7).")
        var supplier: String?
        @Option(name: .customLong("input-gst"), help: "GST on the supplier's invoice, e.g. 12.60 (with --supplier).") var inputGST: String?
        @Option(name: .customLong("lot"), help: "SKU:QTY:GS1 (repeat): QTY units of an --item's SKU came in the lot its GS1 label names, e.g. MILK-1L:12:(01)09556001234568(17)271231(10)L2611A.")
        var lots: [String] = []

        func run() async throws {
            var lines: [StockLine] = []
            var costs: [Int64] = []
            for item in items {
                let parts = item.split(separator: ":", omittingEmptySubsequences: false)
                if supplier != nil {
                    guard parts.count == 3 else { throw CLIError("--item \(item): with --supplier each item is SKU:QTY:UNIT-COST") }
                    lines.append(try parseItem(parts[0...1].joined(separator: ":")))
                    costs.append(try parseMoney(String(parts[2]), "unit cost of \(parts[0])"))
                } else {
                    lines.append(try parseItem(item))
                }
            }
            guard (supplier == nil) == (inputGST == nil) else { throw CLIError("--supplier and --input-gst go together") }
            let invoice = try supplier.map { name in
                SupplierInvoice(supplier: name, unitCosts: costs, inputGST: try parseMoney(inputGST ?? "", "--input-gst"))
            }
            let (_, height, _) = try await connection.submit { session, _, now in
                let entries = try lots.map { text -> LotEntry in
                    let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                    guard parts.count == 3, let line = lines.firstIndex(where: { $0.sku == parts[0] }), let quantity = Int64(parts[1]) else {
                        throw CLIError("--lot \(text): SKU:QTY:GS1 with the SKU of an --item")
                    }
                    let scan = try LotScan.read(String(parts[2]), atMs: now)
                    guard let lot = scan.lot else { throw CLIError("--lot \(text): the GS1 label names no lot (AI 10)") }
                    return LotEntry(lineIndex: UInt32(line), gtin: scan.gtin!, lot: lot, expiryDay: scan.expiry.map(CivilTime.days(from:)) ?? 0,
                                    quantity: quantity)
                }
                return .stockReceive(try StockBuilder(outlet: session.outlet).buildReceive(reference: reference, lines: lines, invoice: invoice, lots: entries))
            }
            print("received \(lines.count) line(s) in block \(height)")
        }
    }

    struct Enrol: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enrol a loyalty member.")
        @OptionGroup var connection: Connection
        @Option(help: "Member id (card number).") var member: String

        func run() async throws {
            // Pseudonymous ids only (PDPA): not an e-mail address, phone or NRIC/FIN.
            do { try RequestLimits.memberID(member, field: "--member") } catch { throw CLIError(error.message) }
            let (_, height, _) = try await connection.submit { _, _, _ in .loyaltyEnrol(LoyaltyEnrol(memberID: member)) }
            print("member \(member) enrolled in block \(height)")
        }
    }

    struct DayClose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "day-close", abstract: "Close the business day (Z-report, signed by a manager) and print it.")
        @OptionGroup var connection: Connection

        func run() async throws {
            let (signed, height, _) = try await connection.submit { session, state, now in
                .dayClose(try session.builder.buildDayClose(atMs: now, state: state))
            }
            // The committed body (on a retry with a committed idempotency id, the first one's).
            guard case .application(let type, let payload) = signed.envelope.body,
                  case .dayClose(let closed) = try POSBody.decode(type: type, payload: payload) else {
                throw CLIError("the idempotency id names a transaction that is not a day-close")
            }
            let outlet = signed.envelope.outletID
            print("Z-report \(closed.zNumber) committed in block \(height)")
            // The same renderer reprints it from the chain: `sgpos report z` (docs/REPORTS.md).
            print(ZReportText.z(outlet: outlet, close: closed), terminator: "")
        }
    }
}

extension TillCommand {
    struct Configure: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the chain's retail settings (signed by an admin key; applies from the next transaction).",
            discussion: "Changes only the settings given; the others keep their values in force (`sgpos till settings` shows them).")
        @OptionGroup var connection: Connection
        @Option(help: "Value of one loyalty point in cents.") var pointValueCents: Int64?
        @Option(help: "Base points per whole dollar paid.") var pointsPerDollar: Int64?
        @Option(help: "Points expire this many months after earning (rounded by --expiry-rounding).") var expiryMonths: Int64?
        @Option(help: "Round the expiry to: day (the same day --expiry-months on), month, quarter or year (the last day of that month, quarter or year).")
        var expiryRounding: String?
        @Option(help: "Redeemed points count as: discount (reduces GST) or tender (GST on the full price).") var redemption: String?
        @Option(help: "Round cash bills to 5 cents: on or off.") var cashRounding: String?
        @Option(help: "Where members' points come from: automatic (the rules' points while any rule is active, else the built-in rule), built-in-plus-rules, or rules-only.")
        var earning: String?
        @Option(help: "What a return credits when the sale had promotions: proportional (each returned unit's share) or re-price (the kept items priced again under the sale's own rules; sales from now on).")
        var returns: String?
        @Option(help: "Review tiers every N months (1-36): one tier down when the period's spend did not reach it; 0 turns the review off (tiers follow lifetime spend).")
        var tierReviewMonths: Int64?

        func run() async throws {
            guard redemption.map({ ["discount", "tender"].contains($0) }) ?? true, cashRounding.map({ ["on", "off"].contains($0) }) ?? true,
                  earning.map({ RetailSettings.EarningMode(rawValue: $0) != nil }) ?? true,
                  expiryRounding.map({ RetailSettings.ExpiryRounding(name: $0) != nil }) ?? true,
                  returns.map({ RetailSettings.ReturnsPolicy(rawValue: $0) != nil }) ?? true,
                  tierReviewMonths.map({ (0...36).contains($0) }) ?? true else {
                throw CLIError("--redemption must be discount or tender; --cash-rounding on or off; --earning automatic, built-in-plus-rules or rules-only; "
                    + "--expiry-rounding day, month, quarter or year; --returns proportional or re-price; --tier-review-months 0...36")
            }
            guard pointValueCents != nil || pointsPerDollar != nil || expiryMonths != nil || expiryRounding != nil || redemption != nil
                || cashRounding != nil || earning != nil || returns != nil || tierReviewMonths != nil else {
                throw CLIError("give at least one setting to change (--point-value-cents, --points-per-dollar, --expiry-months, --expiry-rounding, "
                    + "--redemption, --cash-rounding, --earning, --returns, --tier-review-months)")
            }
            var changed: RetailSettings?
            let (_, height, _) = try await connection.submit { _, state, _ in
                var settings = try state.retailSettings()
                if let pointValueCents { settings.pointValueCents = pointValueCents }
                if let pointsPerDollar { settings.pointsPerDollar = pointsPerDollar }
                if let expiryMonths { settings.pointsExpiryMonths = expiryMonths }
                if let expiryRounding, let rounding = RetailSettings.ExpiryRounding(name: expiryRounding) { settings.pointsExpiry = rounding }
                if let redemption { settings.redemptionIsTender = redemption == "tender" }
                if let cashRounding { settings.cashRounding = cashRounding == "on" }
                if let earning, let mode = RetailSettings.EarningMode(rawValue: earning) { settings.earning = mode }
                if let returns, let policy = RetailSettings.ReturnsPolicy(rawValue: returns) { settings.returns = policy }
                if let tierReviewMonths { settings.tierReviewMonths = tierReviewMonths }
                changed = settings
                return .configure(settings)
            }
            print("retail settings committed in block \(height)")
            if let changed {
                print("  point value \(changed.pointValueCents) cent(s), \(changed.pointsPerDollar) point(s) per dollar, expiry \(changed.pointsExpiryMonths) month(s) rounded to the \(changed.pointsExpiry.name), "
                      + "redemption \(changed.redemptionIsTender ? "tender" : "discount"), cash rounding \(changed.cashRounding ? "on" : "off"), "
                      + "earning \(changed.earning.rawValue), returns \(changed.returns.rawValue), "
                      + "tier review \(changed.tierReviewMonths == 0 ? "off" : "every \(changed.tierReviewMonths) month(s)")")
            }
        }
    }

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the retail settings in force on an outlet's chain and the transaction that set them.")
        @Option(help: "Node data directory.") var data: String
        @Option(help: "The outlet whose chain to read (default: the data directory's own).") var outlet: UInt32?
        @Flag(help: "Print JSON (as GET /v1/outlets/{o}/settings answers).") var json = false

        func run() throws {
            let store = try openStore(data)
            let outletID = try outlet ?? outletOf(data)
            guard store.genesis.outlet(outletID) != nil else { throw CLIError("outlet \(outletID) is not in the genesis") }
            let report = try store.environment.read { try RetailSettingsReport.read(store: store, outlet: outletID, $0) }
            print(json ? try JSON.string(report) : report.text, terminator: json ? "\n" : "")
        }
    }
}

extension TillCommand {
    struct DeployRule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy-rule", abstract: "Deploy a promotion or loyalty rule (signed by an admin key; docs/CONTRACTS.md).")
        @OptionGroup var connection: Connection
        @Option(help: "Rule source file (.rules).") var file: String
        @Option(help: "Active from (RFC 3339); default now.") var activeFrom: String?

        func run() async throws {
            let source = String(decoding: try readFile(file, what: "rule"), as: UTF8.self)
            let deployment: SGPOSState.DeployRule
            do {
                deployment = try RuleBuilder.deployment(source: source, activeFrom: activeFrom, nowMs: Int64(wallClockMs()),
                                                        field: "--active-from")
            } catch { throw CLIError(error.message) }
            let (_, height, _) = try await connection.submit { _, _, _ in .deployRule(deployment) }
            print("rule in \(file) deployed in block \(height)")
        }
    }
}

func parseItem(_ text: String) throws -> StockLine {
    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
    guard parts.count == 2, !parts[0].isEmpty, let quantity = Int64(parts[1]) else {
        throw CLIError("\"\(text)\" is not SKU:QTY")
    }
    return StockLine(sku: parts[0], quantity: quantity)
}

func parseMoney(_ text: String, _ field: String) throws -> Int64 {
    do { return try Money(decimal: text).cents } catch { throw CLIError("\(field): \(error.message)") }
}

func parsePayment(_ text: String) throws -> Payment {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    switch (parts[0], parts.count) {
    case ("cash", 1): return .cash(tendered: nil)
    case ("cash", 2): return .cash(tendered: try parseMoney(parts[1], "cash tendered"))
    case ("card", 6): return .card(terminalID: parts[1], approvalCode: parts[2], rrn: parts[3], maskedPAN: parts[4], scheme: parts[5])
    case ("nets", 5): return .nets(terminalID: parts[1], approvalCode: parts[2], rrn: parts[3], maskedPAN: parts[4])
    case ("paynow", 2):
        return .payNow(payloadHash: Hash256.sha256(Array(parts[1].utf8)), billReference: parts[1], confirmationSource: "till-confirmed")
    case ("voucher", 2): return .voucher(id: parts[1])
    default:
        throw CLIError("--pay \(text): expected cash[:TENDERED], card:TERMINAL:APPROVAL:RRN:MASKEDPAN:SCHEME, nets:TERMINAL:APPROVAL:RRN:MASKEDPAN, paynow:BILLREF or voucher:ID")
    }
}

func outletOf(_ data: String) throws -> OutletID {
    try JSON.read(NodeFile.self, path: data + "/node.json", what: "node file").outletId
}

/// The merchant particulars in the file at `path`, or the unconfigured ones of the outlet.
func loadMerchant(_ path: String?, outletName: String) throws -> Merchant {
    guard let path else { return .unconfigured(outletName: outletName) }
    return try JSON.read(Merchant.self, path: path, what: "merchant")
}

func printReceipt(_ receipt: ReceiptDocument, columns: Int) throws {
    guard columns == 42 || columns == 48 else { throw CLIError("--columns must be 42 or 48") }
    ReceiptTextRenderer(columns: columns).render(receipt).forEach { print($0) }
    print("transaction \(receipt.qr.transactionID)")
    // The payload again on one line, as `sgpos audit check-receipt` takes it (the receipt wraps it).
    print("qr \(receipt.qr.description)")
}
