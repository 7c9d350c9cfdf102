import SGPOSChain
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// The business date of each transaction of one outlet chain (docs/REPORTS.md, "Business
/// dates"): the date named by the first day-close at or after it, or, after the chain's
/// last day-close, the Singapore calendar date of its block. A day-close is dated by the
/// date it names (its block's Singapore date if that does not parse).
///
/// Built in one pass over the chain that keeps one entry per day-close, so memory is
/// bounded by the number of closed days, not of transactions. Reports, the audit files
/// and their checker all date transactions with it.
public struct BusinessCalendar: Sendable {
    /// Where one day-close is and the date it names.
    public struct Close: Sendable, Hashable {
        public let height: UInt64
        public let index: Int
        public let date: CivilTime.Date
    }

    /// The chain's day-closes in chain order.
    public let closes: [Close]

    /// The calendar of `outlet`'s chain, blocks 1 through `last`.
    public init(store: LedgerStore, outlet: OutletID, through last: UInt64, _ transaction: LMDBTransaction) throws {
        var closes: [Close] = []
        var height: UInt64 = 1
        while height <= last, let block = try store.block(outlet, height: height, transaction) {
            for (index, signed) in block.transactions.enumerated() {
                guard case .application(let type, let payload) = signed.envelope.body, type == POSBodyType.dayClose,
                      case .dayClose(let close) = try POSBody.decode(type: type, payload: payload) else { continue }
                closes.append(Close(height: height, index: index, date: CivilTime.Date(iso: close.businessDate)
                    ?? CivilTime.singaporeDate(epochMs: Int64(block.header.timestampMs))))
            }
            height += 1
        }
        self.closes = closes
    }

    /// Dates transactions visited in chain order (each call's position at or after the last).
    public struct Cursor: Sendable {
        let closes: [Close]
        var next = 0

        /// The business date of the transaction at `height`, `index`, in a block of time `blockTimeMs`.
        public mutating func date(height: UInt64, index: Int, blockTimeMs: Int64) -> CivilTime.Date {
            while next < closes.count, (closes[next].height, closes[next].index) < (height, index) { next += 1 }
            return next < closes.count ? closes[next].date : CivilTime.singaporeDate(epochMs: blockTimeMs)
        }
    }

    /// A cursor at the start of the chain.
    public var cursor: Cursor { Cursor(closes: closes) }
}
