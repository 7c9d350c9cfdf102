/// Why a device operation failed. The sale is never affected: receipts wait in the queue.
public struct DeviceError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case notFound = 500
        case unavailable = 501
        case timeout = 502
        case io = 503
        case notReady = 504
        case invalidData = 505
    }

    private let kind: Kind
    public let message: String

    /// Stable code: 500 not found, 501 unavailable (busy, unplugged), 502 timeout, 503 I/O,
    /// 504 printer not ready (paper, cover, offline), 505 invalid data.
    public var code: UInt16 { kind.rawValue }
    public var description: String { message }

    public static func notFound(_ message: String) -> DeviceError { .init(kind: .notFound, message: message) }
    public static func unavailable(_ message: String) -> DeviceError { .init(kind: .unavailable, message: message) }
    public static func timeout(_ message: String) -> DeviceError { .init(kind: .timeout, message: message) }
    public static func io(_ message: String) -> DeviceError { .init(kind: .io, message: message) }
    public static func notReady(_ message: String) -> DeviceError { .init(kind: .notReady, message: message) }
    public static func invalidData(_ message: String) -> DeviceError { .init(kind: .invalidData, message: message) }
}
