/// Why the export stopped (stable codes: 900 bad URL, 901 another schema version, 902 the
/// mirror holds another history than the chain, 903 PostgreSQL failed, 904 the store,
/// 905 audit files that cannot be written or read).
public struct ExportError: Error, Sendable, CustomStringConvertible {
    enum Kind: Int, Sendable {
        case badURL = 900
        case schemaVersion = 901
        case historyMismatch = 902
        case database = 903
        case store = 904
        case auditFiles = 905
    }

    let kind: Kind
    public let message: String
    public var code: Int { kind.rawValue }
    public var description: String { "export error \(code): \(message)" }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
