#if canImport(Glibc)
import Glibc
#endif
import SGPOSCodec

/// The body of `POST /v1/transactions`, `{"transaction":"<hex>"}`, read without a JSON
/// decoder when it has exactly that shape: one object, the one member `transaction`, a
/// string of lower-case hex, JSON whitespace between the tokens. Anything else (another
/// member, an escape, upper-case hex, a duplicate key) is left to ``StrictJSON``, which
/// accepts or refuses it and names the problem, so the fast reading never accepts a body
/// the strict one would refuse, nor reads one differently.
public enum SubmitBody {
    /// The transaction's bytes, or nil when the body is not exactly of that shape.
    public static func transactionBytes(_ body: [UInt8]) -> [UInt8]? {
        body.withUnsafeBytes { body -> [UInt8]? in
            var position = 0
            func skipWhitespace() {
                while position < body.count, [0x20, 0x09, 0x0a, 0x0d].contains(body[position]) { position += 1 }
            }
            func expect(_ text: StaticString) -> Bool {
                let count = text.utf8CodeUnitCount
                guard body.count - position >= count,
                      memcmp(body.baseAddress! + position, text.utf8Start, count) == 0 else { return false }
                position += count
                return true
            }
            skipWhitespace()
            guard expect("{") else { return nil }
            skipWhitespace()
            guard expect("\"transaction\"") else { return nil }
            skipWhitespace()
            guard expect(":") else { return nil }
            skipWhitespace()
            guard expect("\"") else { return nil }
            let start = position
            while position < body.count, body[position] != UInt8(ascii: "\"") { position += 1 }
            guard position < body.count else { return nil }
            let hex = UnsafeRawBufferPointer(rebasing: body[start..<position])
            position += 1
            skipWhitespace()
            guard expect("}") else { return nil }
            skipWhitespace()
            guard position == body.count else { return nil }
            return Hex.decode(hex)
        }
    }
}
