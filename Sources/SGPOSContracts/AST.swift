/// Parsed rules (docs/CONTRACTS.md §3).
public struct Rule: Sendable {
    public var id: String
    public var version: Int64
    public var language: Int64 = 1
    public var priority: Int64 = 0
    public var group: String?
    /// `stop`: once this rule is applied, the rules after it in the set do not run.
    public var stopsLaterRules = false
    /// `coupon "CAMPAIGN"`: the rule runs only when a coupon of that campaign was keyed in,
    /// and using the rule uses the coupon (docs/CONTRACTS.md §4).
    public var coupon: String?
    /// `issues "CAMPAIGN" days N`: applying the rule issues the customer a coupon of that
    /// campaign, valid N days (a next-order coupon; the ledger makes it, FORMAT.md §13.5).
    public var issues: (campaign: String, days: Int64)?
    /// Active from…until (ms since the epoch, half-open), if declared.
    public var window: (from: Int64, until: Int64)?
    /// Per-member counters and whole-promotion budgets: name → cap.
    public var memberCounters: [(name: String, max: Int64)] = []
    public var budgets: [(name: String, max: Int64)] = []
    var body: [Statement] = []
}

indirect enum Expression: Sendable {
    case integer(Int64, Position)
    case money(Int64, Position)
    case string(String, Position)
    case boolean(Bool, Position)
    case enumCase(String, Position)
    case name(String, Position)
    case field(Expression, String, Position)
    case call(String, [Argument], Position)
    case method(Expression, String, [Argument], Position)
    case unary(String, Expression, Position)
    case binary(String, Expression, Expression, Position)

    /// 1 for a leaf; 1 + the greatest height of the operands, target and arguments
    /// otherwise (docs/CONTRACTS.md §3.1). The parser refuses a node above
    /// ``Parser/heightMax`` as it completes it, so this recursion stays as shallow.
    var height: Int {
        switch self {
        case .integer, .money, .string, .boolean, .enumCase, .name: 1
        case .field(let target, _, _): 1 + target.height
        case .call(_, let arguments, _): 1 + (arguments.map(\.value.height).max() ?? 0)
        case .method(let target, _, let arguments, _): 1 + max(target.height, arguments.map(\.value.height).max() ?? 0)
        case .unary(_, let operand, _): 1 + operand.height
        case .binary(_, let left, let right, _): 1 + max(left.height, right.height)
        }
    }

    var position: Position {
        switch self {
        case .integer(_, let p), .money(_, let p), .string(_, let p), .boolean(_, let p), .enumCase(_, let p), .name(_, let p),
             .field(_, _, let p), .call(_, _, let p), .method(_, _, _, let p), .unary(_, _, let p), .binary(_, _, _, let p):
            p
        }
    }
}

struct Argument: Sendable {
    var label: String?
    /// A lambda's parameter (`l => …`), if the argument is one.
    var parameter: String?
    var value: Expression
}

struct Position: Sendable, Hashable {
    let line: Int
    let column: Int
}

indirect enum Statement: Sendable {
    case constant(String, Expression, Position)
    case letBinding(String, Expression, Position)
    /// `require c else skip`, `else skip("reason")` or `else fail(code)`.
    case require(Expression, failCode: UInt16?, skipReason: String?, Position)
    case when(Expression, [Statement], [Statement], Position)
    case forEach(String, Expression, [Statement], Position)
    case emit(String, [Argument], Position)
}
