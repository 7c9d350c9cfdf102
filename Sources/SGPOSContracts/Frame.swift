/// A value of a scalar type at run time: Int, Money, Tier, Bool (0 or 1), Rounding (its
/// index in ``ContractLimits/roundings``), or a line or unit (its line index).
struct Scalar: Sendable {
    var value: Int64
    /// Whether the value is tagged Money. The tag decides the cost of `+`/`-` and the tag
    /// of a sum; it is carried at run time because an empty `sum` takes its tag from the
    /// function's syntax (``Compiler/sumType(_:)``), which may say Int where the type is Money.
    var isMoney: Bool

    init(_ value: Int64, money: Bool = false) {
        self.value = value
        isMoney = money
    }
}

/// A list at run time: line indices (a unit is its line's index, its price that line's
/// unit price). `indices == nil` is the basket's lines in order, not materialised.
struct IndexList: Sendable {
    var indices: [Int]?
    var count: Int

    static let empty = IndexList(indices: nil, count: 0)

    init(indices: [Int]?, count: Int) {
        self.indices = indices
        self.count = count
    }

    init(_ indices: [Int]) {
        self.indices = indices
        count = indices.count
    }

    @inline(__always) subscript(position: Int) -> Int {
        if let indices { return indices[position] }
        return position
    }
}

/// Why a run stopped early: `require … else skip`, or a failure with its stable code.
enum Interrupt: Error {
    /// `require … else skip`, with its reason if it gives one.
    case skip(String?)
    case failed(ContractError)

    static func failure(_ code: ContractError.Code, _ at: Position, _ message: String) -> Interrupt {
        .failed(ContractError(code, line: at.line, column: at.column, message))
    }
}

/// The state of one run of a compiled rule: the input, the metered cost, variable slots
/// (resolved at compile time), line nets, counters and the effects so far.
struct Frame {
    /// The run's input, borrowed: valid for the run (a frame never outlives it), not copied.
    private let inputPointer: UnsafePointer<ContractInput>
    var input: ContractInput { unsafeAddress { inputPointer } }
    let staticCost: UInt64
    private(set) var cost: UInt64 = 0
    var scalars: [Scalar]
    var strings: [String]
    var lists: [IndexList]
    /// Each line's net after this rule's own line discounts.
    var net: [Int64]
    /// The rule's declared counters, in declaration order (state, then budget).
    var counters: [Int64]
    /// Basket discounts this rule granted so far.
    var basketGranted: Int64 = 0
    var pointsRedeemed: Int64 = 0
    var effects: [Effect] = []
    /// `point_rate` answers for the categories seen this run, by their bytes (a basket has
    /// few categories; bytewise-equal keys get the same answer from the rate table).
    private var rates: [PointRate] = []

    /// A struct, not a tuple: an array of tuples looks up the tuple's metadata at run time.
    private struct PointRate {
        let category: String
        let rate: Int64
    }

    init(input: UnsafePointer<ContractInput>, nets: [Int64], staticCost: UInt64, layout: SlotLayout, scratch: inout Scratch) {
        inputPointer = input
        self.staticCost = staticCost
        scalars = []
        strings = []
        lists = []
        swap(&scalars, &scratch.scalars)
        swap(&strings, &scratch.strings)
        swap(&lists, &scratch.lists)
        if scalars.count < layout.scalars { scalars += repeatElement(Scalar(0), count: layout.scalars - scalars.count) }
        if strings.count < layout.strings { strings += repeatElement("", count: layout.strings - strings.count) }
        if lists.count < layout.lists { lists += repeatElement(IndexList.empty, count: layout.lists - lists.count) }
        net = nets
        counters = layout.counters.isEmpty ? [] : layout.counters.map { input.pointee.counters[$0.name] ?? 0 }
    }

    /// Hands the slot storage on to the next run.
    mutating func release(to scratch: inout Scratch) {
        swap(&scalars, &scratch.scalars)
        swap(&strings, &scratch.strings)
        swap(&lists, &scratch.lists)
    }

    /// Charges `ticks`; the static bound makes the failure unreachable (if it fires, the checker is wrong).
    @inline(__always) mutating func charge(_ ticks: UInt64) throws(Interrupt) {
        cost = cost.plus(ticks)
        guard cost <= staticCost else { throw costLimit() }
    }

    @inline(never) private func costLimit() -> Interrupt {
        .failed(ContractError(.costLimit, "dynamic cost \(cost) passed the static bound \(staticCost)"))
    }

    mutating func append(_ effect: Effect, _ at: Position) throws(Interrupt) {
        if effects.isEmpty { effects.reserveCapacity(4) }
        guard effects.count < ContractLimits.effectsMax else {
            throw .failure(.costLimit, at, "more than \(ContractLimits.effectsMax) effects")
        }
        effects.append(effect)
    }

    /// `point_rate(category)`: the operator's rate for the category, or the default.
    mutating func pointRate(_ category: String) -> Int64 {
        for entry in rates where Compiler.bytewiseEqual(entry.category, category) { return entry.rate }
        let rate = input.pointRates[category] ?? input.defaultPointRate
        if rates.count < 8 { rates.append(PointRate(category: category, rate: rate)) }
        return rate
    }

    /// `basket.subtotal`: what is left to pay after earlier rules and this rule's discounts.
    var subtotal: Int64 { net.reduce(0, +) - input.basketDiscount - basketGranted }
}

/// How many slots of each kind a compiled rule's frame needs, and its counters.
struct SlotLayout: Sendable {
    var scalars = 0
    var strings = 0
    var lists = 0
    var counters: [(name: String, max: Int64)] = []
}
