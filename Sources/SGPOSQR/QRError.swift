/// Why a QR code could not be made. Nothing was rendered.
///
/// A struct over a private enum (SwiftNIO's style): new reasons do not break callers;
/// ``code`` is stable.
public struct QRError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case payloadTooLong = 1100
        case invalidMask = 1101
    }

    private let kind: Kind
    /// What exactly was wrong.
    public let message: String

    /// Stable code: 1100 payload too long for version 40 at the requested level,
    /// 1101 a forced mask outside 0–7.
    public var code: UInt16 { kind.rawValue }
    public var description: String { message }

    static func payloadTooLong(_ message: String) -> QRError { .init(kind: .payloadTooLong, message: message) }
    static func invalidMask(_ message: String) -> QRError { .init(kind: .invalidMask, message: message) }
}
