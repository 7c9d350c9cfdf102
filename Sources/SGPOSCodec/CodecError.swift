/// Why a byte string is not the canonical encoding of the structure it was decoded as.
///
/// Public errors are a struct over a private enum (as SwiftNIO does), so new cases do
/// not break callers. ``code`` is stable and may be recorded or returned to clients.
public struct CodecError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case truncated = 1
        case trailingBytes = 2
        case lengthExceedsLimit = 3
        case nonCanonical = 4
        case unknownVersion = 5
        case unknownTag = 6
        case invalidUTF8 = 7
        case invalidValue = 8
    }

    private let kind: Kind
    /// Byte offset in the input where the problem was found.
    public let offset: Int
    /// What was being decoded and what was wrong, for a person to act on.
    public let detail: String

    /// Stable numeric code (1 truncated, 2 trailing bytes, 3 length over limit,
    /// 4 non-canonical, 5 unknown version, 6 unknown tag, 7 invalid UTF-8, 8 invalid value).
    public var code: UInt16 { kind.rawValue }

    public var description: String { "decode error \(code) at byte \(offset): \(detail)" }

    public static func truncated(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .truncated, offset: offset, detail: detail)
    }
    public static func trailingBytes(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .trailingBytes, offset: offset, detail: detail)
    }
    public static func lengthExceedsLimit(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .lengthExceedsLimit, offset: offset, detail: detail)
    }
    public static func nonCanonical(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .nonCanonical, offset: offset, detail: detail)
    }
    public static func unknownVersion(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .unknownVersion, offset: offset, detail: detail)
    }
    public static func unknownTag(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .unknownTag, offset: offset, detail: detail)
    }
    public static func invalidUTF8(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .invalidUTF8, offset: offset, detail: detail)
    }
    public static func invalidValue(_ detail: String, at offset: Int) -> CodecError {
        CodecError(kind: .invalidValue, offset: offset, detail: detail)
    }

    /// The same error seen from an enclosing structure: the offset moved by `base` (where
    /// the inner structure starts in the outer input) and `context` put before the detail,
    /// so a client learns which element of a list failed and where in what it sent.
    public func nested(at base: Int, in context: String) -> CodecError {
        CodecError(kind: kind, offset: base + offset, detail: "\(context): \(detail)")
    }

    /// True when both errors are of the same kind (ignores offset and detail).
    public func isSameKind(as other: CodecError) -> Bool { kind == other.kind }
}
