/// A rule compiled once (``Compiler``): its body, the frame layout it runs in, and what a
/// rule set needs per run. A class: a rule set reads it with one reference per run.
final class Program: Sendable {
    let id: String
    let group: String?
    let stopsLaterRules: Bool
    let window: Window?
    /// The campaign of the coupon the rule needs, if it is a coupon rule.
    let coupon: String?
    let staticCost: UInt64
    let body: Code<Void>
    let layout: SlotLayout

    /// A rule's activity window, half-open.
    struct Window {
        let from: Int64
        let until: Int64
    }

    init(_ rule: Rule, staticCost: UInt64) {
        id = rule.id
        group = rule.group
        stopsLaterRules = rule.stopsLaterRules
        window = rule.window.map { Window(from: $0.from, until: $0.until) }
        coupon = rule.coupon
        self.staticCost = staticCost
        (body, layout) = Compiler.compile(rule)
    }

    /// Runs the rule on `input` (line nets from `nets` if given). Outside its window it is
    /// skipped at no cost; otherwise all effects, or none with the reason it stopped.
    func evaluate(_ input: ContractInput, nets: [Int64]?, scratch: inout Scratch) -> Outcome {
        if let window, !(window.from <= input.timeMs && input.timeMs < window.until) { return .skipped(cost: 0, reason: nil) }
        if let coupon, !input.coupons.contains(where: { Compiler.bytewiseEqual($0, coupon) }) { return .skipped(cost: 0, reason: nil) }
        let outcome = withUnsafePointer(to: input) { input in
            run(input, nets: nets ?? input.pointee.lines.map { $0.net }, scratch: &scratch)
        }
        assert(outcome.cost <= staticCost, "dynamic cost above the static bound")
        return outcome
    }

    private func run(_ input: UnsafePointer<ContractInput>, nets: [Int64], scratch: inout Scratch) -> Outcome {
        var frame = Frame(input: input, nets: nets, staticCost: staticCost, layout: layout, scratch: &scratch)
        defer { frame.release(to: &scratch) }
        do {
            try body(&frame)
            return .applied(frame.effects, cost: frame.cost)
        } catch {
            switch error {
            case .skip(let reason): return .skipped(cost: frame.cost, reason: reason)
            case .failed(let failure): return .failed(failure, cost: frame.cost)
            }
        }
    }
}

/// Slot storage handed from one run to the next (a rule set's rules run one after the
/// other), so a run does not allocate its slots. Every slot is written before it is read.
struct Scratch {
    var scalars: [Scalar] = []
    var strings: [String] = []
    var lists: [IndexList] = []
}
