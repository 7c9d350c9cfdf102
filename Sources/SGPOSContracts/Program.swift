/// A rule's body compiled once (``Compiler``), with the frame layout it runs in.
struct Program: Sendable {
    let body: Code<Void>
    let layout: SlotLayout

    init(_ rule: Rule) {
        (body, layout) = Compiler.compile(rule)
    }

    /// Runs the body on `input`: all effects, or none with the reason it stopped.
    func run(_ input: ContractInput, nets: [Int64], staticCost: UInt64, scratch: inout Scratch) -> Outcome {
        var frame = Frame(input: input, nets: nets, staticCost: staticCost, layout: layout, scratch: &scratch)
        defer { frame.release(to: &scratch) }
        do {
            try body(&frame)
            return .applied(frame.effects, cost: frame.cost)
        } catch {
            switch error {
            case .skip: return .skipped(cost: frame.cost)
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
