/// Recursive-descent parser; nesting depth is bounded (``Parser/depthMax``), and so is
/// every expression's height (``Parser/heightMax``), so that no later pass over the tree
/// (checker, compiler, evaluation, deallocation) recurses more than a few hundred deep
/// whatever a 64 KiB source holds.
struct Parser {
    static let depthMax = 64
    /// The greatest height of an expression node (docs/CONTRACTS.md §3.1).
    static let heightMax = 64
    private var tokens: [Located]
    private var index = 0
    private var depth = 0

    static func parse(_ source: String) throws -> Rule {
        var parser = Parser(tokens: try Lexer.tokens(source))
        return try parser.rule()
    }

    private init(tokens: [Located]) { self.tokens = tokens }

    private var current: Located { tokens[index] }
    private var position: Position { Position(line: current.line, column: current.column) }

    private func error(_ message: String) -> ContractError {
        ContractError(.parse, line: current.line, column: current.column, message)
    }

    private mutating func next() -> Token {
        defer { if index < tokens.count - 1 { index += 1 } }
        return tokens[index].token
    }

    private func isSymbol(_ symbol: String) -> Bool { current.token == .symbol(symbol) }
    private func isWord(_ word: String) -> Bool { current.token == .identifier(word) }

    private mutating func expect(_ symbol: String) throws {
        guard isSymbol(symbol) else { throw error("expected '\(symbol)'") }
        _ = next()
    }

    private mutating func expectWord(_ word: String) throws {
        guard isWord(word) else { throw error("expected '\(word)'") }
        _ = next()
    }

    private mutating func identifier(_ what: String) throws -> String {
        guard case .identifier(let name) = current.token, !Parser.keywords.contains(name) else { throw error("expected \(what)") }
        _ = next()
        return name
    }

    private mutating func integer(_ what: String) throws -> Int64 {
        guard case .integer(let value) = current.token else { throw error("expected \(what) (an integer)") }
        _ = next()
        return value
    }

    private mutating func string(_ what: String) throws -> String {
        guard case .string(let value) = current.token else { throw error("expected \(what) (a string)") }
        _ = next()
        return value
    }

    static let keywords: Set<String> = ["rule", "version", "lang", "priority", "group", "window", "state", "budget", "counter",
                                        "const", "let", "require", "else", "skip", "fail", "when", "for", "in", "emit", "and", "or",
                                        "not", "true", "false"]

    mutating func rule() throws -> Rule {
        try expectWord("rule")
        let id = try string("the rule id")
        guard !id.isEmpty, id.utf8.count <= 64 else { throw error("a rule id is 1...64 bytes") }
        try expectWord("version")
        var rule = Rule(id: id, version: try integer("the version"))
        try expect("{")
        var sawStatement = false
        while !isSymbol("}") {
            guard current.token != .end else { throw error("expected '}' to close the rule") }
            let headerPosition = position
            // `stop` is a header word, not a keyword: no statement starts with a name, so a
            // rule that names something `stop` means what it meant before.
            if isWord("lang") || isWord("priority") || isWord("group") || isWord("window") || isWord("state") || isWord("budget") || isWord("stop")
                || isWord("coupon") || isWord("issues") {
                guard !sawStatement else { throw error("headers (lang, priority, group, window, state, budget, stop, coupon, issues) come before statements") }
            }
            if isWord("stop") {
                _ = next()
                rule.stopsLaterRules = true
            } else if isWord("coupon") || isWord("issues") {
                // Contextual header words like `stop`: a campaign is a code (1-32 printable
                // ASCII bytes without spaces); a next-order coupon is valid 1-3650 days.
                let issues = isWord("issues")
                _ = next()
                let campaign = try string("the coupon campaign")
                guard Checker.isCode(campaign) else {
                    throw ContractError(.parse, line: headerPosition.line, column: headerPosition.column,
                                        "a coupon campaign is 1-32 printable ASCII characters without spaces")
                }
                if issues {
                    try expectWord("days")
                    let days = try integer("the days the coupon is valid")
                    guard (1...3_650).contains(days) else {
                        throw ContractError(.parse, line: headerPosition.line, column: headerPosition.column,
                                            "an issued coupon is valid 1-3650 days")
                    }
                    rule.issues = (campaign, days)
                } else {
                    rule.coupon = campaign
                }
            } else if isWord("lang") {
                _ = next()
                rule.language = try integer("the language version")
            } else if isWord("priority") {
                _ = next()
                rule.priority = try integer("the priority")
            } else if isWord("group") {
                _ = next()
                rule.group = try string("the exclusivity group")
            } else if isWord("window") {
                _ = next()
                let from = try string("the window start (RFC 3339)")
                try expect("..<")
                let until = try string("the window end (RFC 3339)")
                guard let start = RFC3339.parse(from), let end = RFC3339.parse(until), start < end else {
                    throw ContractError(.parse, line: headerPosition.line, column: headerPosition.column,
                                        "window needs two RFC 3339 times with an offset, the first before the second")
                }
                rule.window = (start, end)
            } else if isWord("state") || isWord("budget") {
                let perMember = isWord("state")
                _ = next()
                let name = try identifier("the counter name")
                try expect(":")
                try expectWord("counter")
                try expectWord("max")
                let cap = try integer("the counter's maximum")
                if perMember { rule.memberCounters.append((name, cap)) } else { rule.budgets.append((name, cap)) }
            } else {
                sawStatement = true
                rule.body.append(try statement())
            }
        }
        _ = next()
        guard current.token == .end else { throw error("nothing may follow the rule") }
        return rule
    }

    private mutating func block() throws -> [Statement] {
        try expect("{")
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.depthMax else { throw error("blocks nest deeper than \(Parser.depthMax)") }
        var statements: [Statement] = []
        while !isSymbol("}") {
            guard current.token != .end else { throw error("expected '}'") }
            statements.append(try statement())
        }
        _ = next()
        return statements
    }

    private mutating func statement() throws -> Statement {
        let at = position
        if isWord("const") || isWord("let") {
            let isConstant = isWord("const")
            _ = next()
            let name = try identifier("a name")
            try expect("=")
            let value = try expression()
            return isConstant ? .constant(name, value, at) : .letBinding(name, value, at)
        }
        if isWord("require") {
            _ = next()
            let condition = try expression()
            try expectWord("else")
            if isWord("skip") {
                _ = next()
                // `skip("limit reached")`: no statement starts with `(`, so this reads no
                // program differently than before.
                var reason: String?
                if isSymbol("(") {
                    _ = next()
                    reason = try string("the reason a rule skips")
                    try expect(")")
                }
                return .require(condition, failCode: nil, skipReason: reason, at)
            }
            try expectWord("fail")
            try expect("(")
            let code = try integer("a failure code")
            guard (1_000...65_535).contains(code) else { throw error("a rule's failure code is 1000...65535") }
            try expect(")")
            return .require(condition, failCode: UInt16(code), skipReason: nil, at)
        }
        if isWord("when") {
            _ = next()
            let condition = try expression()
            let then = try block()
            var otherwise: [Statement] = []
            if isWord("else") {
                _ = next()
                otherwise = try block()
            }
            return .when(condition, then, otherwise, at)
        }
        if isWord("for") {
            _ = next()
            let name = try identifier("the loop variable")
            try expectWord("in")
            let list = try expression()
            return .forEach(name, list, try block(), at)
        }
        if isWord("emit") {
            _ = next()
            let effect = try identifier("an effect")
            try expect("(")
            return .emit(effect, try arguments(), at)
        }
        throw error("expected a statement (const, let, require, when, for, emit)")
    }

    /// After '(': arguments up to and including ')'.
    private mutating func arguments() throws -> [Argument] {
        var arguments: [Argument] = []
        while !isSymbol(")") {
            var label: String?
            var parameter: String?
            if case .identifier(let word) = current.token, tokens[index + 1].token == .symbol(":") {
                label = word
                index += 2
            }
            if case .identifier(let word) = current.token, tokens[index + 1].token == .symbol("=>") {
                parameter = word
                index += 2
            }
            arguments.append(Argument(label: label, parameter: parameter, value: try expression()))
            guard arguments.count <= 8 else { throw error("at most 8 arguments") }
            if isSymbol(",") { _ = next() } else { break }
        }
        try expect(")")
        return arguments
    }

    /// `node`, refused at its own position when it is higher than ``heightMax``: checked as
    /// the parser completes each node, after its last operand.
    private func checked(_ node: Expression) throws -> Expression {
        guard node.height <= Parser.heightMax else {
            throw ContractError(.parse, line: node.position.line, column: node.position.column,
                                "expression is higher than \(Parser.heightMax) levels (operators, fields and calls nested)")
        }
        return node
    }

    mutating func expression() throws -> Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.depthMax else { throw error("expression nests deeper than \(Parser.depthMax)") }
        return try or()
    }

    private mutating func or() throws -> Expression {
        var left = try and()
        while isWord("or") {
            let at = position
            _ = next()
            left = try checked(.binary("or", left, try and(), at))
        }
        return left
    }

    private mutating func and() throws -> Expression {
        var left = try not()
        while isWord("and") {
            let at = position
            _ = next()
            left = try checked(.binary("and", left, try not(), at))
        }
        return left
    }

    /// `not not … x` is read in a loop (a chain of any length must not recurse).
    private mutating func not() throws -> Expression {
        var operators: [Position] = []
        while isWord("not") {
            operators.append(position)
            _ = next()
        }
        var value = try comparison()
        for at in operators.reversed() { value = try checked(.unary("not", value, at)) }
        return value
    }

    private mutating func comparison() throws -> Expression {
        let left = try additive()
        for symbol in ["==", "!=", "<=", ">=", "<", ">"] where isSymbol(symbol) {
            let at = position
            _ = next()
            return try checked(.binary(symbol, left, try additive(), at))
        }
        return left
    }

    private mutating func additive() throws -> Expression {
        var left = try multiplicative()
        while isSymbol("+") || isSymbol("-") {
            let at = position
            guard case .symbol(let symbol) = next() else { break }
            left = try checked(.binary(symbol, left, try multiplicative(), at))
        }
        return left
    }

    private mutating func multiplicative() throws -> Expression {
        var left = try unary()
        while isSymbol("*") {
            let at = position
            _ = next()
            left = try checked(.binary("*", left, try unary(), at))
        }
        return left
    }

    /// `- - x` is read in a loop, like `not`.
    private mutating func unary() throws -> Expression {
        var operators: [Position] = []
        while isSymbol("-") {
            operators.append(position)
            _ = next()
        }
        var value = try postfix()
        for at in operators.reversed() { value = try checked(.unary("-", value, at)) }
        return value
    }

    private mutating func postfix() throws -> Expression {
        var value = try primary()
        while isSymbol(".") {
            let at = position
            _ = next()
            let name = try identifier("a field or method name")
            if isSymbol("(") {
                _ = next()
                value = try checked(.method(value, name, try arguments(), at))
            } else {
                value = try checked(.field(value, name, at))
            }
        }
        return value
    }

    private mutating func primary() throws -> Expression {
        let at = position
        switch current.token {
        case .integer(let value): _ = next(); return .integer(value, at)
        case .percent(let value): _ = next(); return .integer(value, at)
        case .money(let value): _ = next(); return .money(value, at)
        case .string(let value): _ = next(); return .string(value, at)
        case .identifier("true"): _ = next(); return .boolean(true, at)
        case .identifier("false"): _ = next(); return .boolean(false, at)
        case .identifier(let name) where !Parser.keywords.contains(name):
            _ = next()
            if isSymbol("(") {
                _ = next()
                return try checked(.call(name, try arguments(), at))
            }
            return .name(name, at)
        case .symbol("("):
            _ = next()
            let value = try expression()
            try expect(")")
            return value
        case .symbol("."):
            _ = next()
            return .enumCase(try identifier("an enum case (.gold, .floor…)"), at)
        default:
            throw error("expected an expression")
        }
    }
}

/// RFC 3339 with a mandatory offset, to ms since the epoch (no Foundation, no tz data).
enum RFC3339 {
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 20 || b.count == 25 else { return nil }
        func n(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range { guard b[i] >= 48 && b[i] <= 57 else { return nil }; v = v * 10 + Int64(b[i] - 48) }
            return v
        }
        guard b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58,
            let y = n(0..<4), let mo = n(5..<7), let d = n(8..<10), let h = n(11..<13), let mi = n(14..<16), let s = n(17..<19),
            (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        var offset: Int64 = 0
        if b.count == 25 {
            guard b[19] == 43 || b[19] == 45, b[22] == 58, let oh = n(20..<22), let om = n(23..<25) else { return nil }
            offset = (oh * 60 + om) * 60_000 * (b[19] == 45 ? -1 : 1)
        } else {
            guard b[19] == 90 else { return nil }
        }
        // Days from civil (Howard Hinnant).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1_000 - offset
    }
}
