import ArgumentParser
import Foundation
import SGPOSRetail
import SGPOSState

/// `sgpos quote`: price a basket (JSON on stdin) and print the quote (JSON on stdout).
struct QuoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Price a basket read as JSON from standard input; print the quote as JSON.",
        discussion: """
            Input: {"at": "2026-03-01T10:00:00+08:00", "gstMethod": "per-line"|"per-invoice",
            "lines": [{"sku": "A1", "category": "snacks", "qty": 2, "unitPrice": "1.05", "priceIncludesGst": true}]}.
            Optional: "member": {"id", "tier", "lifetimeSpend", "points"} and "redeemPoints".
            Money is a decimal string with exactly two decimals. GST rates come from --genesis
            (its "gst" section) or IRAS's published table. Points earned follow the built-in
            programme (1 point per whole dollar paid × the tier multiplier); promotion contracts
            are not part of this version. Exit 1 with a clear message on bad input.
            """)

    @Option(help: "How redeemed points count for GST: discount (reduces the taxable value) or tender.")
    var redemption: String = "discount"
    @Option(help: "Value of one loyalty point in cents.") var pointValueCents: Int64 = 1

    @Option(help: "Genesis or genesis template whose \"gst\" section gives the rates and the default method.")
    var genesis: String?
    @Option(help: "Directory of promotion and loyalty rules (.rules) to apply, e.g. Contracts.") var contracts: String?

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        do {
            let request = try JSON.decode(QuoteRequest.self, from: input, what: "basket")
            let (rates, defaultMethod) = try gstSettings()
            guard let treatment = ["discount": PointsRedemption.Treatment.discount, "tender": .tender][redemption] else {
                throw CLIError("--redemption must be discount or tender")
            }
            var basket = try request.basket(defaultMethod: defaultMethod, treatment: treatment, pointValueCents: pointValueCents)
            let tier = try request.tier()
            var contractPoints: Int64?
            var tierAfter: LoyaltyTier?
            var applied: [String] = []
            var rewardPoints: Int64 = 0
            if let contracts {
                let outcome = try PromotionRules.load(directory: contracts).apply(to: &basket, request: request, tier: tier)
                // With rules, the rules decide the points (as on chain), members only.
                contractPoints = tier == nil ? 0 : outcome.points
                tierAfter = outcome.tier.flatMap(LoyaltyTier.init(rawValue:))
                applied = outcome.applied
                rewardPoints = outcome.redeemed
                if let member = request.member, (request.redeemPoints ?? 0) + rewardPoints > (member.points ?? 0) {
                    throw CLIError("member \(member.id) has \(member.points ?? 0) points; rewards take \(rewardPoints) and \(request.redeemPoints ?? 0) more are redeemed")
                }
            }
            let quote = try PricingEngine(rates: rates).quote(basket)
            let earned = contractPoints ?? tier.map { PointsEarning(pointsPerDollar: 1).points(paid: quote.amountDue, tier: $0) } ?? 0
            var response = QuoteResponse(quote, at: request.at, pointsEarned: earned, tier: tierAfter ?? tier)
            if contracts != nil {
                response.appliedRules = applied + quote.appliedRules.filter { !applied.contains($0) }
                response.pointsForRewards = rewardPoints
            }
            print(try JSON.string(response))
        } catch let error as RetailError {
            throw CLIError("basket refused (code \(error.code)): \(error.message)")
        }
    }

    private func gstSettings() throws -> (GSTRateTable, GSTMethod) {
        guard let genesis else { return (.singapore, .perInvoice) }
        struct GSTSection: Decodable { let gst: GenesisGST }
        struct GenesisGST: Decodable {
            struct Rate: Decodable { let effectiveFrom: String; let basisPoints: Int64 }
            let method: String
            let rates: [Rate]
        }
        let section = try JSON.read(GSTSection.self, path: genesis, what: "genesis").gst
        var entries: [GSTRateTable.Entry] = []
        for rate in section.rates {
            guard let date = CivilTime.Date(iso: rate.effectiveFrom) else {
                throw CLIError("\(genesis): gst.rates effectiveFrom \"\(rate.effectiveFrom)\" is not YYYY-MM-DD")
            }
            entries.append(.init(effectiveFrom: date, basisPoints: rate.basisPoints))
        }
        guard let method = GSTMethod(rawValue: section.method) else {
            throw CLIError("\(genesis): gst.method must be per-line or per-invoice")
        }
        return (try GSTRateTable(entries: entries), method)
    }
}

/// The basket JSON of `sgpos quote` (and, later, the till API).
struct QuoteRequest: Decodable {
    struct Line: Decodable {
        let sku: String
        let category: String?
        let qty: Int64
        let unitPrice: String
        let priceIncludesGst: Bool?
    }
    struct Member: Decodable {
        let id: String
        let tier: String?
        let lifetimeSpend: String?
        let points: Int64?
        /// Personal points multiplier in basis points (default 10000 = 1.0×).
        let multiplierBps: Int64?
    }
    let at: String
    let gstMethod: String?
    let lines: [Line]
    let member: Member?
    let redeemPoints: Int64?
    /// Points rates by category in basis points, as an operator set them on chain (for --contracts).
    let pointRates: [String: Int64]?

    /// The member's tier: as given, else from the lifetime spend; nil without a member.
    func tier() throws -> LoyaltyTier? {
        guard let member else { return nil }
        if let name = member.tier {
            guard let tier = LoyaltyTier(name: name) else {
                throw CLIError("member.tier must be one of \(LoyaltyTier.allCases.map(\.name).joined(separator: ", ")), got \"\(name)\"")
            }
            return tier
        }
        let spend: Money
        do { spend = try Money(decimal: member.lifetimeSpend ?? "0.00") } catch {
            throw CLIError("member.lifetimeSpend: \(error.message)")
        }
        return LoyaltyTier.forLifetimeSpend(spend)
    }

    func basket(defaultMethod: GSTMethod, treatment: PointsRedemption.Treatment, pointValueCents: Int64) throws -> Basket {
        let method: GSTMethod
        if let gstMethod {
            guard let parsed = GSTMethod(rawValue: gstMethod) else {
                throw CLIError("gstMethod must be \"per-line\" or \"per-invoice\", got \"\(gstMethod)\"")
            }
            method = parsed
        } else {
            method = defaultMethod
        }
        let redeem = redeemPoints ?? 0
        guard redeem >= 0 else { throw CLIError("redeemPoints must not be negative, got \(redeem)") }
        if redeem > 0 {
            guard let member else { throw CLIError("redeemPoints needs a member") }
            guard redeem <= member.points ?? 0 else {
                throw CLIError("redeemPoints \(redeem) is more than the member's \(member.points ?? 0) points")
            }
        }
        var lines: [BasketLine] = []
        for (index, line) in self.lines.enumerated() {
            let price: Money
            do { price = try Money(decimal: line.unitPrice) } catch {
                throw CLIError("line \(index + 1) (\(line.sku)): unitPrice: \(error.message)")
            }
            lines.append(BasketLine(sku: line.sku, category: line.category ?? "", quantity: line.qty, unitPrice: price,
                                    priceIncludesGST: line.priceIncludesGst ?? true))
        }
        let redemption = redeem == 0 ? nil
            : PointsRedemption(points: redeem, pointValueCents: pointValueCents, treatment: treatment)
        return Basket(atEpochMs: try CivilTime.parse(at), method: method, lines: lines, redemption: redemption)
    }
}

/// The quote JSON: money as decimal strings with two decimals.
struct QuoteResponse: Encodable {
    struct Line: Encodable {
        let sku, category: String
        let qty: Int64
        let unitPrice, gross, discount, net, gst, total: String
    }
    let at: String
    let taxDate: String
    let gstMethod: String
    let gstBasisPoints: Int64
    let subtotal, discount, gst, total: String
    /// Paid with points when they are a tender, and what is left to pay.
    let pointsTender, amountDue: String
    /// IRAS: a simplified tax invoice may be issued when the total is at most S$1,000.
    let invoiceType: String
    let lines: [Line]
    let pointsEarned: Int64
    let pointsRedeemed: Int64
    let tier: String?
    var appliedRules: [String]
    /// Points the rules take for rewards (with --contracts), besides `pointsRedeemed`.
    var pointsForRewards: Int64? = nil

    init(_ quote: Quote, at: String, pointsEarned: Int64, tier: LoyaltyTier?) {
        self.at = at
        taxDate = quote.taxDate.description
        gstMethod = quote.method.rawValue
        gstBasisPoints = quote.gstBasisPoints
        subtotal = quote.subtotal.decimal
        discount = quote.discount.decimal
        gst = quote.gst.decimal
        total = quote.total.decimal
        pointsTender = quote.pointsTender.decimal
        amountDue = quote.amountDue.decimal
        invoiceType = quote.allowsSimplifiedInvoice ? "simplified" : "full"
        lines = quote.lines.map {
            Line(sku: $0.sku, category: $0.category, qty: $0.quantity, unitPrice: $0.unitPrice.decimal, gross: $0.gross.decimal,
                 discount: $0.discount.decimal, net: $0.net.decimal, gst: $0.gst.decimal, total: $0.total.decimal)
        }
        self.pointsEarned = pointsEarned
        pointsRedeemed = quote.pointsRedeemed
        self.tier = tier?.name
        appliedRules = quote.appliedRules
    }
}
