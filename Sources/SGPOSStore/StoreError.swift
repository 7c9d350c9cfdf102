/// A store that cannot be created, opened or written as asked, and why.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case notInitialized = 1
        case alreadyInitialized = 2
        case corrupt = 3
        case unknownOutlet = 4
        case headMoved = 5
        case notFound = 6
        case locked = 7
        case unsupported = 8
    }

    private let kind: Kind
    public let message: String

    /// Stable code: 1 not initialised, 2 already initialised, 3 corrupt, 4 unknown outlet,
    /// 5 head moved (concurrent writer), 6 not found, 7 locked (another process writes the ledger),
    /// 8 unsupported (a read the store cannot answer as asked or as opened).
    public var code: UInt16 { kind.rawValue }
    public var description: String { message }

    public static func notInitialized(_ message: String) -> StoreError { .init(kind: .notInitialized, message: message) }
    public static func alreadyInitialized(_ message: String) -> StoreError { .init(kind: .alreadyInitialized, message: message) }
    public static func corrupt(_ message: String) -> StoreError { .init(kind: .corrupt, message: message) }
    public static func unknownOutlet(_ message: String) -> StoreError { .init(kind: .unknownOutlet, message: message) }
    public static func headMoved(_ message: String) -> StoreError { .init(kind: .headMoved, message: message) }
    public static func notFound(_ message: String) -> StoreError { .init(kind: .notFound, message: message) }
    public static func locked(_ message: String) -> StoreError { .init(kind: .locked, message: message) }
    public static func unsupported(_ message: String) -> StoreError { .init(kind: .unsupported, message: message) }

    public var isCorrupt: Bool { kind == .corrupt }
    public var isNotFound: Bool { kind == .notFound }
    public var isLocked: Bool { kind == .locked }
}
