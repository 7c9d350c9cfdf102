/// Tokens of the rules language (docs/CONTRACTS.md §2).
enum Token: Equatable, Sendable {
    case identifier(String)
    case integer(Int64)
    /// `S$12.34` in cents.
    case money(Int64)
    /// `12.5%` in basis points.
    case percent(Int64)
    case string(String)
    case symbol(String)
    case end
}

struct Located: Sendable {
    let token: Token
    let line: Int
    let column: Int
}

/// Splits source into tokens; bounded: sources over ``Lexer/sourceBytesMax`` are refused.
struct Lexer {
    static let sourceBytesMax = 64 * 1024
    static let symbols = ["..<", "=>", "==", "!=", "<=", ">=", "{", "}", "(", ")", "[", "]", ",", ":", ".", "+", "-", "*", "<", ">", "="]

    static func tokens(_ source: String) throws -> [Located] {
        let bytes = Array(source.utf8)
        guard bytes.count <= sourceBytesMax else {
            throw ContractError(.parse, "source is \(bytes.count) bytes; at most \(sourceBytesMax)")
        }
        var out: [Located] = []
        var index = 0, line = 1, column = 1
        func fail(_ message: String) -> ContractError { ContractError(.parse, line: line, column: column, message) }
        func advance(_ n: Int = 1) {
            for _ in 0..<n {
                if bytes[index] == 0x0A { line += 1; column = 1 } else { column += 1 }
                index += 1
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D { advance(); continue }
            if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                while index < bytes.count && bytes[index] != 0x0A { advance() }
                continue
            }
            let (startLine, startColumn) = (line, column)
            func push(_ token: Token) { out.append(Located(token: token, line: startLine, column: startColumn)) }
            if isLetter(byte) || byte == UInt8(ascii: "_") {
                var word: [UInt8] = []
                while index < bytes.count, isLetter(bytes[index]) || isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "_") {
                    word.append(bytes[index]); advance()
                }
                let text = String(decoding: word, as: UTF8.self)
                if text == "S", index < bytes.count, bytes[index] == UInt8(ascii: "$") {
                    advance()
                    push(.money(try number(allowFraction: 2, suffix: nil).value))
                } else {
                    push(.identifier(text))
                }
                continue
            }
            if isDigit(byte) {
                let value = try number(allowFraction: 2, suffix: UInt8(ascii: "%"))
                push(value.isPercent ? .percent(value.value) : .integer(value.value))
                continue
            }
            if byte == UInt8(ascii: "\"") {
                advance()
                var text: [UInt8] = []
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                    guard bytes[index] != 0x0A, bytes[index] != UInt8(ascii: "\\") else { throw fail("strings are one line without escapes") }
                    text.append(bytes[index]); advance()
                    guard text.count <= 256 else { throw ContractError(.constantTooLarge, line: startLine, column: startColumn, "string over 256 bytes") }
                }
                guard index < bytes.count else { throw fail("unterminated string") }
                advance()
                guard let string = String(validating: text, as: UTF8.self) else { throw fail("string is not UTF-8") }
                push(.string(string))
                continue
            }
            if let symbol = symbols.first(where: { matches($0) }) {
                advance(symbol.utf8.count)
                push(.symbol(symbol))
                continue
            }
            throw fail("unexpected character '\(Character(Unicode.Scalar(byte)))'")
        }
        out.append(Located(token: .end, line: line, column: column))
        return out

        func matches(_ symbol: String) -> Bool {
            let s = Array(symbol.utf8)
            return index + s.count <= bytes.count && Array(bytes[index..<(index + s.count)]) == s
        }

        /// Digits with `_`, an optional fraction (money: exactly two digits; percent: up
        /// to two, scaled to basis points), an optional `%` suffix.
        func number(allowFraction: Int, suffix: UInt8?) throws -> (value: Int64, isPercent: Bool) {
            var digits: [UInt8] = []
            var fraction: [UInt8]?
            while index < bytes.count {
                let current = bytes[index]
                if isDigit(current) { if fraction != nil { fraction!.append(current) } else { digits.append(current) }
                } else if current == UInt8(ascii: "_") && fraction == nil {
                } else if current == UInt8(ascii: "."), fraction == nil, index + 1 < bytes.count, isDigit(bytes[index + 1]) {
                    fraction = []
                } else { break }
                advance()
            }
            guard !digits.isEmpty else { throw fail("expected a number") }
            let isPercent = suffix != nil && index < bytes.count && bytes[index] == suffix
            if isPercent { advance() }
            let isMoney = suffix == nil
            if fraction != nil, !isPercent && !isMoney { throw fail("fractions need % (percent) or S$ (money); integers have none") }
            if isMoney, let fraction, fraction.count != 2 { throw fail("money has exactly two decimals: S$12.30") }
            if isPercent, let fraction, fraction.count > 2 { throw fail("percent has at most two decimals") }
            var value: Int64 = 0
            for digit in digits + (fraction ?? []) + Array(repeating: UInt8(ascii: "0"), count: isPercent ? 2 - (fraction?.count ?? 0) : (isMoney && fraction == nil ? 2 : 0)) {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int64(digit - 48))
                guard !o1, !o2 else { throw ContractError(.constantTooLarge, line: line, column: column, "number does not fit in 64 bits") }
                value = sum
            }
            return (value, isPercent)
        }
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
}

private func isLetter(_ byte: UInt8) -> Bool { Lexer.isLetter(byte) }
private func isDigit(_ byte: UInt8) -> Bool { Lexer.isDigit(byte) }
