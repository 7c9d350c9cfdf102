/// Why a basket, amount or date was refused. Nothing was changed.
///
/// A struct over a private enum (SwiftNIO's style): new reasons do not break callers;
/// ``code`` is stable and returned to tills.
public struct RetailError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case invalidAmount = 200
        case amountOutOfRange = 201
        case invalidQuantity = 202
        case invalidTimestamp = 203
        case noTaxRate = 204
        case invalidBasket = 205
    }

    private let kind: Kind
    /// What exactly was wrong.
    public let message: String

    /// Stable code: 200 invalid amount, 201 amount out of range, 202 invalid quantity,
    /// 203 invalid timestamp, 204 no GST rate for the date, 205 invalid basket.
    public var code: UInt16 { kind.rawValue }
    public var description: String { message }

    public static func invalidAmount(_ message: String) -> RetailError { .init(kind: .invalidAmount, message: message) }
    public static func amountOutOfRange(_ message: String) -> RetailError { .init(kind: .amountOutOfRange, message: message) }
    public static func invalidQuantity(_ message: String) -> RetailError { .init(kind: .invalidQuantity, message: message) }
    public static func invalidTimestamp(_ message: String) -> RetailError { .init(kind: .invalidTimestamp, message: message) }
    public static func noTaxRate(_ message: String) -> RetailError { .init(kind: .noTaxRate, message: message) }
    public static func invalidBasket(_ message: String) -> RetailError { .init(kind: .invalidBasket, message: message) }
}
