import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSOperations
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
            Optional: "outlet" (default 1), "member": {"id", "tier", "lifetimeSpend", "points",
            "multiplierBps", "counters": [{"rule", "counter", "value"}]}, "redeemPoints",
            "pointRates": {"category": basis points}, "budgets": [{"rule", "counter", "value"}],
            "payment": {"kind": "cash"|"card"|..., ...} (default a card: no cash rounding).
            Money is a decimal string with exactly two decimals. GST rates come from --genesis
            (its "gst" section) or IRAS's published table. The basket is priced by the ledger's own
            sale builder against a state holding these values (and the rules of --contracts,
            active from the epoch): the quote is the sale the ledger would record. Points follow
            the built-in programme (--points-per-dollar per whole dollar × the tier multiplier)
            unless rules are deployed, which then decide them. Exit 1 with a clear message on
            bad input or a basket the ledger would refuse.
            """)

    @Option(help: "How redeemed points count for GST: discount (reduces the taxable value) or tender.")
    var redemption: String = "discount"
    @Option(help: "Value of one loyalty point in cents.") var pointValueCents: Int64 = 1

    @Option(help: "Genesis or genesis template whose \"gst\" section gives the rates and the default method.")
    var genesis: String?
    @Option(help: "Directory of promotion and loyalty rules (.rules) to apply, e.g. Contracts.") var contracts: String?

    @Option(help: "Base points per whole dollar paid (before tier and personal multipliers).")
    var pointsPerDollar: Int64 = 1
    @Flag(help: "Do not round cash payments to 5 cents.") var noCashRounding = false

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        do {
            let basket = try JSON.decode(WhatIfBasket.self, from: input, what: "basket")
            let (rates, defaultMethod) = try gstSettings()
            guard let tender = ["discount": false, "tender": true][redemption] else {
                throw CLIError("--redemption must be discount or tender")
            }
            let settings = RetailSettings(pointValueCents: pointValueCents, pointsPerDollar: pointsPerDollar,
                                          redemptionIsTender: tender, cashRounding: !noCashRounding)
            let rules = try contracts.map(Self.rules(in:)) ?? []
            print(try JSON.string(try basket.quote(rules: rules, rates: rates, defaultMethod: defaultMethod, settings: settings)))
        } catch let error as RequestError {
            throw CLIError(error.message)
        } catch let error as LedgerRejection {
            throw CLIError("basket refused (code \(error.code)): \(error.detail)")
        } catch let error as RetailError {
            throw CLIError("basket refused (code \(error.code)): \(error.message)")
        }
    }

    /// Every `.rules` file of `directory`, in name order, deployed from the epoch.
    static func rules(in directory: String) throws -> [DeployRule] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".rules") }.sorted()
        guard !files.isEmpty else { throw CLIError("\(directory) holds no .rules files") }
        return try files.map {
            DeployRule(source: String(decoding: try readFile(directory + "/" + $0, what: "rule"), as: UTF8.self), activeFromMs: 0)
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
