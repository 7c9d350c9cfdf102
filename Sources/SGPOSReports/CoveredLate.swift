import SGPOSCheckpointStore
import SGPOSRetail
import SGPOSState

/// The sales, refunds and voids a report counts whose blocks were covered late
/// (docs/REPORTS.md, "Covered late"): stamped more than the genesis's lag threshold before
/// the agreed time of the first checkpoint covering them. Their block time — which decides
/// their GST rate, their business date and the period they count in — is the outlet's
/// word alone: the outlet was cut off, or its clock stood still or went back. The report
/// counts them like any other; this says which they are, so an auditor can ask.
public struct CoveredLate: Sendable, Equatable {
    /// How many (training sales are not counted, as the GST return does not count them).
    public var transactions: Int64 = 0
    /// What they add to the takings, GST included (refunds and voids negative).
    public var amount: Int64 = 0
    /// What they add to the output tax.
    public var gst: Int64 = 0
    /// The late spans holding them, by outlet and height.
    public var spans: [LateCoverage.Span] = []

    public init() {}

    /// Counts `event` (in late span `span`) when it is a sale, refund or void.
    mutating func add(_ event: ReportEvent, span: LateCoverage.Span) {
        switch event.kind {
        case .sale(let sale):
            guard !sale.training else { return }
            count(sale.lines.reduce(0) { $0 + $1.paid }, sale.lines.reduce(0) { $0 + $1.gst })
        case .refund(let refund, _):
            count(-refund.lines.reduce(0) { $0 + $1.amount }, -refund.lines.reduce(0) { $0 + $1.gst })
        case .void(_, let original):
            count(-original.lines.reduce(0) { $0 + $1.paid }, -original.lines.reduce(0) { $0 + $1.gst })
        default:
            return
        }
        if spans.last != span { spans.append(span) }
    }

    private mutating func count(_ amount: Int64, _ gst: Int64) {
        transactions += 1
        self.amount += amount
        self.gst += gst
    }
}
