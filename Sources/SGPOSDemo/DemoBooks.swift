import SGPOSChain
import SGPOSCommandSupport
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// The demo's closing figures per outlet: sales, refunds and voids with their totals and
/// the net, as the sales report walks the chain (docs/REPORTS.md) and as the outlet's
/// books hold them (every Z-report it closed plus the open period: what the ledger's state
/// machine accumulated). The demo prints the first and fails unless they are equal.
enum DemoBooks {
    struct Takings: Equatable {
        var salesCount: Int64 = 0
        var salesTotal: Int64 = 0
        var refundsCount: Int64 = 0
        var refundsTotal: Int64 = 0
        var voidsCount: Int64 = 0
        var voidsTotal: Int64 = 0
        var net: Int64 { salesTotal - refundsTotal - voidsTotal }

        mutating func add(_ other: Takings) {
            salesCount += other.salesCount; salesTotal += other.salesTotal
            refundsCount += other.refundsCount; refundsTotal += other.refundsTotal
            voidsCount += other.voidsCount; voidsTotal += other.voidsTotal
        }

        mutating func add(_ totals: PeriodTotals) {
            add(Takings(salesCount: totals.salesCount, salesTotal: totals.salesTotal, refundsCount: totals.refundsCount,
                        refundsTotal: totals.refundsTotal, voidsCount: totals.voidsCount, voidsTotal: totals.voidsTotal))
        }
    }

    /// `outlet`'s takings in the store at `dataDirectory`: from the sales report over every
    /// business date, and from its books.
    static func takings(dataDirectory: String, outlet: OutletID) throws -> (report: Takings, books: Takings) {
        let reports = Reports(store: try openStore(dataDirectory))
        let summary = try reports.sales(ReportRange(from: .init(year: 2000, month: 1, day: 1), to: .init(year: 2100, month: 12, day: 31), outlets: [outlet]))
        let totals = summary.totals
        let report = Takings(salesCount: totals.salesCount, salesTotal: totals.salesTotal, refundsCount: totals.refundsCount,
                             refundsTotal: totals.refundsTotal, voidsCount: totals.voidsCount, voidsTotal: totals.voidsTotal)
        var books = Takings()
        var number: UInt64 = 1
        while let closed = try? reports.zReport(outlet: outlet, number: number) {
            books.add(closed.close.totals)
            number += 1
        }
        books.add(try reports.xReport(outlet: outlet).totals)
        return (report, books)
    }

    static func describe(_ takings: Takings) -> String {
        func money(_ cents: Int64) -> String { (try? Money(cents: cents))?.description ?? "\(cents) cents" }
        return "sales \(takings.salesCount) \(money(takings.salesTotal)), refunds \(takings.refundsCount) \(money(takings.refundsTotal)), "
            + "voids \(takings.voidsCount) \(money(takings.voidsTotal)), net \(money(takings.net))"
    }
}
