/// A request that is malformed before any ledger rule is asked: a missing field, a value
/// out of range, text where money belongs. HTTP answers it with 400, the CLI with exit 1;
/// rule violations are ``SGPOSChain/LedgerRejection``s instead.
public struct RequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, naming the field.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
