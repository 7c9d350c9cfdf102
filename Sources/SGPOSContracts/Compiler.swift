/// Compiled code: a closure over the run's ``Frame``. Operators, functions, fields and
/// variables are resolved when the rule is compiled, so a run matches no names.
typealias Code<T> = @Sendable (inout Frame) throws(Interrupt) -> T

/// What a record-typed name denotes; fixed at compile time (only names have record types).
enum RecordValue: Equatable {
    case basket, customer, context
    /// A declared counter, by its index in ``SlotLayout/counters``.
    case counter(Int)
}

/// A compiled expression, by its run-time representation.
enum Compiled {
    case scalar(Code<Scalar>)
    case bool(Code<Bool>)
    case string(Code<String>)
    case list(Code<IndexList>)
    /// A record or counter: evaluating it only charges (its value is static).
    case record(RecordValue, Code<Void>)
}

/// Compiles a checked rule once into closures (docs/CONTRACTS.md §10). It follows the
/// checker's scopes, gives every variable its own slot in the frame and charges exactly
/// the ticks the tree walk of language 1 charged, in the same order, so cost, effects
/// and errors are those of the language definition.
struct Compiler {
    enum Binding {
        case scalar(Int, ValueType)
        case string(Int)
        case list(Int, ValueType)
        case record(RecordValue, ValueType)
    }

    private var scopes: [[String: Binding]] = []
    private(set) var layout = SlotLayout()

    init(rule: Rule) {
        layout.counters = rule.memberCounters + rule.budgets
    }

    /// The rule's body as one closure, and the slots its frame needs.
    static func compile(_ rule: Rule) -> (Code<Void>, SlotLayout) {
        var compiler = Compiler(rule: rule)
        let body = compiler.block(rule.body)
        return (body, compiler.layout)
    }

    // MARK: Names

    /// Innermost binding first, then the roots: `basket`, `customer` and `ctx` denote their
    /// records even where a counter has the same name (as the tree walk always resolved them).
    func resolve(_ name: String) -> Binding {
        for scope in scopes.reversed() { if let binding = scope[name] { return binding } }
        let counter = layout.counters.firstIndex { $0.name == name }
        let type = counter == nil ? nil : ValueType.record("Counter")
        switch name {
        case "basket": return .record(.basket, type ?? .record("Basket"))
        case "customer": return .record(.customer, type ?? .record("Customer"))
        case "ctx": return .record(.context, type ?? .record("Context"))
        default:
            guard let counter else { preconditionFailure("checked: \(name) is defined") }
            return .record(.counter(counter), .record("Counter"))
        }
    }

    mutating func push(_ scope: [String: Binding] = [:]) { scopes.append(scope) }
    mutating func pop() { scopes.removeLast() }

    mutating func newScalarSlot() -> Int { defer { layout.scalars += 1 }; return layout.scalars }
    mutating func newStringSlot() -> Int { defer { layout.strings += 1 }; return layout.strings }
    mutating func newListSlot() -> Int { defer { layout.lists += 1 }; return layout.lists }

    mutating func declare(_ name: String, _ binding: Binding) { scopes[scopes.count - 1][name] = binding }

    // MARK: Statements

    /// A block: its own scope, its statements run in order.
    mutating func block(_ list: [Statement]) -> Code<Void> {
        push()
        defer { pop() }
        var steps: [Step] = []
        for statement in list { steps.append(Step(run: self.statement(statement))) }
        return Compiler.sequence(steps)
    }

    /// A compiled statement. Wrapped so an array of them holds the closures as they are
    /// (an array of bare closures would store them reabstracted, behind a thunk per call).
    struct Step {
        let run: Code<Void>
    }

    static func sequence(_ steps: [Step]) -> Code<Void> {
        guard var result = steps.last?.run else { return { (_: inout Frame) throws(Interrupt) in } }
        for step in steps.dropLast().reversed() {
            let code = step.run, next = result
            result = { (f: inout Frame) throws(Interrupt) in
                try code(&f)
                try next(&f)
            }
        }
        return result
    }

    mutating func statement(_ statement: Statement) -> Code<Void> {
        switch statement {
        case .constant(let name, let value, _), .letBinding(let name, let value, _):
            return binding(name, value)
        case .require(let condition, let userCode, let reason, let at):
            let holds = bool(condition)
            return { (f: inout Frame) throws(Interrupt) in
                let result = try holds(&f)
                try f.charge(1)
                if !result {
                    if let userCode { throw .failed(ContractError(userCode: userCode, line: at.line, column: at.column)) }
                    throw .skip(reason)
                }
            }
        case .when(let condition, let then, let otherwise, _):
            let holds = bool(condition)
            let first = block(then), second = block(otherwise)
            return { (f: inout Frame) throws(Interrupt) in
                if try holds(&f) { try first(&f) } else { try second(&f) }
            }
        case .forEach(let name, let list, let body, _):
            let (type, items) = self.list(list)
            guard case .list(let element, _) = type else { preconditionFailure("checked: for needs a list") }
            let slot = newScalarSlot()
            push([name: .scalar(slot, element)])
            defer { pop() }
            let run = block(body)
            return { (f: inout Frame) throws(Interrupt) in
                let values = try items(&f)
                try f.charge(2)
                for position in 0..<values.count {
                    try f.charge(1)
                    f.scalars[slot] = Scalar(Int64(values[position]))
                    try run(&f)
                }
            }
        case .emit(let effect, let arguments, let at):
            return emit(effect, arguments, at)
        }
    }

    /// `let`/`const`: evaluate, charge 1, store in a new slot (bound after the value is compiled).
    private mutating func binding(_ name: String, _ value: Expression) -> Code<Void> {
        let (type, compiled) = expression(value)
        switch compiled {
        case .scalar(let code):
            let slot = newScalarSlot()
            declare(name, .scalar(slot, type))
            return { (f: inout Frame) throws(Interrupt) in
                let result = try code(&f)
                try f.charge(1)
                f.scalars[slot] = result
            }
        case .bool(let code):
            let slot = newScalarSlot()
            declare(name, .scalar(slot, type))
            return { (f: inout Frame) throws(Interrupt) in
                let result = try code(&f)
                try f.charge(1)
                f.scalars[slot] = Scalar(result ? 1 : 0)
            }
        case .string(let code):
            let slot = newStringSlot()
            declare(name, .string(slot))
            return { (f: inout Frame) throws(Interrupt) in
                let result = try code(&f)
                try f.charge(1)
                f.strings[slot] = result
            }
        case .list(let code):
            let slot = newListSlot()
            declare(name, .list(slot, type))
            return { (f: inout Frame) throws(Interrupt) in
                let result = try code(&f)
                try f.charge(1)
                f.lists[slot] = result
            }
        case .record(let record, let code):
            declare(name, .record(record, type))
            return { (f: inout Frame) throws(Interrupt) in
                try code(&f)
                try f.charge(1)
            }
        }
    }
}
