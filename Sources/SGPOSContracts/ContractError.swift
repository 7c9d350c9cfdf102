/// Why a rule was refused at deploy or failed when it ran. Codes are stable (they are
/// recorded on chain) and never renumbered; messages carry line and column.
public struct ContractError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code (docs/CONTRACTS.md): recorded on chain, never renumbered.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt16
        /// The code's name (`parse`, `overflow`, …).
        public var description: String { "\(kind)" }
        private let kind: ContractErrorKind

        private init(_ kind: ContractErrorKind) {
            self.kind = kind
            rawValue = kind.rawValue
        }

        /// Every code, in numeric order.
        public static let all: [Code] = ContractErrorKind.allCases.map(Code.init)
        public static let parse = Code(.parse)
        public static let type = Code(.type)
        public static let staticCostLimit = Code(.staticCostLimit)
        public static let unsupportedLanguage = Code(.unsupportedLanguage)
        public static let constantTooLarge = Code(.constantTooLarge)
        public static let overflow = Code(.overflow)
        public static let divisionByZero = Code(.divisionByZero)
        public static let discountExceedsLine = Code(.discountExceedsLine)
        public static let stateCapExceeded = Code(.stateCapExceeded)
        public static let costLimit = Code(.costLimit)
        public static let expansionLimit = Code(.expansionLimit)
        public static let lineOutOfRange = Code(.lineOutOfRange)
        public static let pointsBeyondBalance = Code(.pointsBeyondBalance)
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

/// The codes behind ``ContractError/Code``. Append only; retired numbers stay reserved.
private enum ContractErrorKind: UInt16, CaseIterable {
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
