import SGPOSChain
import SGPOSRetail

/// What a report covers: business dates `from` through `to` (inclusive, Singapore), and
/// the outlets (nil: every outlet in the genesis). docs/REPORTS.md, "Business dates".
public struct ReportRange: Hashable, Sendable {
    public var from: CivilTime.Date
    public var to: CivilTime.Date
    public var outlets: [OutletID]?

    public init(from: CivilTime.Date, to: CivilTime.Date, outlets: [OutletID]? = nil) {
        self.from = from
        self.to = to
        self.outlets = outlets
    }

    /// Parses `YYYY-MM-DD` dates; `from` after `to` is an error.
    public init(from: String, to: String, outlet: OutletID? = nil) throws(ReportError) {
        guard let start = CivilTime.Date(iso: from) else { throw ReportError(.badRange, "from \"\(from)\" is not a date (YYYY-MM-DD)") }
        guard let end = CivilTime.Date(iso: to) else { throw ReportError(.badRange, "to \"\(to)\" is not a date (YYYY-MM-DD)") }
        guard start <= end else { throw ReportError(.badRange, "from \(from) is after to \(to)") }
        self.init(from: start, to: end, outlets: outlet.map { [$0] })
    }

    public func contains(_ date: CivilTime.Date) -> Bool { from <= date && date <= to }
}

/// Why a report could not be made (stable codes: 800 bad range, 801 unknown outlet,
/// 802 no such Z-report, 803 the store could not be read, 804 a query parameter out of
/// range).
public struct ReportError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Kind: Int, Sendable {
        case badRange = 800
        case unknownOutlet = 801
        case notFound = 802
        case store = 803
        case badParameter = 804
    }

    let kind: Kind
    public let message: String
    public var code: Int { kind.rawValue }
    public var description: String { message }
    /// Whether the request named something that does not exist (a Z-report, an outlet): 404, not 400.
    public var isNotFound: Bool { kind == .notFound || kind == .unknownOutlet }
    /// Whether the store failed, not the request.
    public var isStoreFailure: Bool { kind == .store }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A query parameter outside what the report accepts.
    public static func badParameter(_ message: String) -> ReportError { ReportError(.badParameter, message) }

    /// `field` is not a real date.
    public static func notADate(_ field: String, _ text: String) -> ReportError {
        ReportError(.badRange, "\(field) \"\(text)\" is not a date (YYYY-MM-DD)")
    }
}
