import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// The retail settings an outlet chain has in force (points value and rate, expiry,
/// redemption, cash rounding) and the `configure` transaction that set them: what
/// `sgpos till settings` prints and `GET /v1/outlets/{o}/settings` answers (docs/API.md).
/// The transaction is looked for from the chain's head back over at most
/// ``searchBlocksMax`` blocks, so the answer's cost is bounded whatever the chain.
public struct RetailSettingsReport: Codable, Sendable, Equatable {
    /// Where the settings in force were set.
    public struct SetAt: Codable, Sendable, Equatable {
        public var height: UInt64
        public var index: UInt32
        public var transactionId: String
        /// The block's time, RFC 3339 in Singapore time.
        public var blockTime: String
        /// The principal of the key that signed it, as the registry names it.
        public var signer: String
    }

    public var outletId: UInt32
    public var pointValueCents: Int64
    public var pointsPerDollar: Int64
    public var pointsExpiryMonths: Int64
    /// How the expiry day is rounded: `day` (the same day `pointsExpiryMonths` months on),
    /// `month`, `quarter` or `year` (the last day of that month, quarter or year).
    public var pointsExpiry: String
    /// `discount` or `tender`.
    public var redemption: String
    public var cashRounding: Bool
    /// `automatic`, `built-in-plus-rules` or `rules-only` (FORMAT.md §13.4 step 9).
    public var earning: String
    /// `proportional` or `re-price` (FORMAT.md §13.5, refund; docs/POS.md).
    public var returns: String
    /// Tiers reviewed every this many months; 0: no review (FORMAT.md §13.3).
    public var tierReviewMonths: Int64
    /// True when no `configure` has set them: the defaults (docs/POS.md).
    public var isDefault: Bool
    /// The transaction that set them; absent when they are the defaults or were set more
    /// than ``searchBlocksMax`` blocks before the head (`searchedFromHeight` says where the
    /// search stopped).
    public var setAt: SetAt?
    public var searchedFromHeight: UInt64

    /// Blocks searched back from the head for the transaction that set the settings.
    public static let searchBlocksMax: UInt64 = 100_000

    /// The settings of `outlet`'s chain in `store`, read in `transaction`.
    public static func read(store: LedgerStore, outlet: OutletID, _ transaction: LMDBTransaction) throws -> RetailSettingsReport {
        let state = store.stateReader(outlet, transaction)
        let settings = try state.retailSettings()
        let isDefault = try state.read(.retailSettings) == nil
        let head = try store.head(outlet, transaction).height
        let oldest = head > searchBlocksMax ? head - searchBlocksMax + 1 : 1
        var found: SetAt?
        var height = head
        search: while !isDefault, height >= oldest, height > 0 {
            guard let block = try store.block(outlet, height: height, transaction) else { break }
            for (index, signed) in block.transactions.enumerated().reversed() {
                guard case .application(let type, _) = signed.envelope.body, type == POSBodyType.configure else { continue }
                let principal = try state.read(.key(signed.envelope.signer)).map { try KeyRecord(canonicalBytes: $0).principal } ?? signed.envelope.signer.hex
                found = SetAt(height: height, index: UInt32(index), transactionId: signed.id.hex,
                              blockTime: CivilTime.singaporeDateTime(epochMs: Int64(block.header.timestampMs)).replacingOccurrences(of: " ", with: "T") + "+08:00",
                              signer: principal)
                break search
            }
            height -= 1
        }
        return RetailSettingsReport(outletId: outlet, pointValueCents: settings.pointValueCents, pointsPerDollar: settings.pointsPerDollar,
                                    pointsExpiryMonths: settings.pointsExpiryMonths, pointsExpiry: settings.pointsExpiry.name, redemption: settings.redemptionIsTender ? "tender" : "discount",
                                    cashRounding: settings.cashRounding, earning: settings.earning.rawValue, returns: settings.returns.rawValue, tierReviewMonths: settings.tierReviewMonths, isDefault: isDefault, setAt: found, searchedFromHeight: isDefault ? head : oldest)
    }

    /// How `till settings` says when points expire.
    static func expiryText(_ rounding: String, months: Int64) -> String {
        switch rounding {
        case "day": "\(months) month(s) after the day they were earned, on that day"
        case "quarter": "at the end of the quarter \(months) month(s) after earning"
        case "year": "at the end of the year \(months) month(s) after earning"
        default: "end of the month \(months) month(s) after earning"
        }
    }

    /// How `till settings` names an earning choice.
    static func earningText(_ earning: String) -> String {
        switch earning {
        case "built-in-plus-rules": "the built-in rule plus the deployed rules"
        case "rules-only": "the deployed rules only"
        default: "the built-in rule, or the deployed rules instead while any is active (automatic)"
        }
    }

    /// The settings as `sgpos till settings` prints them.
    public var text: String {
        var lines = ["retail settings of outlet \(outletId)" + (isDefault ? " (the defaults: never configured)" : ""),
                     "  point value          \(pointValueCents) cent(s)",
                     "  points per dollar    \(pointsPerDollar)",
                     "  points expire        " + Self.expiryText(pointsExpiry, months: pointsExpiryMonths),
                     "  redemption           \(redemption)",
                     "  cash rounding        \(cashRounding ? "on (to 5 cents)" : "off")",
                     "  points earned from   " + Self.earningText(earning),
                     "  returns              " + (returns == "re-price"
                        ? "re-priced: the kept items priced again under the sale's rules"
                        : "proportional: each returned unit's share of what its line paid"),
                     "  tier review          " + (tierReviewMonths == 0 ? "off: tiers follow lifetime spend"
                        : "every \(tierReviewMonths) month(s): one tier down when the period's spend did not reach it")]
        if let setAt {
            lines.append("  set in block \(setAt.height) (transaction \(setAt.transactionId), \(setAt.blockTime)) by \(setAt.signer)")
        } else if !isDefault {
            lines.append("  set before block \(searchedFromHeight) (not searched further back)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
