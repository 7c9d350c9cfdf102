/// Why a rule was refused at deploy or failed when it ran. Codes are stable (they are
/// recorded on chain) and never renumbered; messages carry line and column.
public struct ContractError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: UInt16, Sendable, CaseIterable {
        case parse = 1
        case type = 2
        case staticCostLimit = 3
        case unsupportedLanguage = 4
        case constantTooLarge = 5
        case overflow = 10
        case divisionByZero = 11
        case discountExceedsLine = 13
        case stateCapExceeded = 14
        case costLimit = 15
        case expansionLimit = 16
        case lineOutOfRange = 17
        case pointsBeyondBalance = 18
    }

    public let code: UInt16
    public let line: Int
    public let column: Int
    public let message: String

    public init(_ code: Code, line: Int = 0, column: Int = 0, _ message: String) {
        self.code = code.rawValue
        self.line = line
        self.column = column
        self.message = message
    }

    /// A rule's own `fail(code)`, code ≥ 1000.
    public init(userCode: UInt16, line: Int, column: Int) {
        code = userCode
        self.line = line
        self.column = column
        message = "the rule failed with its code \(userCode)"
    }

    public var description: String {
        line > 0 ? "error \(code) at \(line):\(column): \(message)" : "error \(code): \(message)"
    }
}
