import Foundation
import SGPOSOperations
import Testing

/// docs/openapi.json must be exactly as strict as the server (issue 13): for the field
/// rules a JSON Schema can state, the schema's pattern and the server's check agree on
/// every input. Generated ids are biased towards what the rules are about (digits,
/// dashes, NRIC letters, "@", non-ASCII), so both sides of each rule are exercised.
@Suite struct SchemaExactnessTests {
    static func property(_ schema: String, _ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        return ((schemas?[schema] as? [String: Any])?["properties"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    /// Whether `value` is valid against a string schema's `maxLength` and `pattern`
    /// (ICU regular expressions, which have the lookaheads the pattern uses).
    static func valid(_ value: String, _ schema: [String: Any]) throws -> Bool {
        if let max = schema["maxLength"] as? Int, value.unicodeScalars.count > max { return false }
        if let min = schema["minLength"] as? Int, value.unicodeScalars.count < min { return false }
        guard var pattern = schema["pattern"] as? String else { return true }
        // JSON Schema patterns are ECMA-262, where `$` (not multiline) is the end of the
        // input; ICU's `$` also matches before a final line terminator, its `\z` does not.
        if pattern.hasSuffix("$") { pattern = String(pattern.dropLast()) + "\\z" }
        pattern = pattern.replacingOccurrences(of: "$)", with: "\\z)")
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    static func generated(_ count: Int, alphabet: [String], lengths: ClosedRange<Int>, seed: UInt64) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<count).map { _ in
            let length = lengths.lowerBound + Int(next() % UInt64(lengths.count))
            return (0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }.joined()
        }
    }

    @Test func memberIdPatternIsTheServersRule() throws {
        let schema = try Self.property("QuoteRequest", "memberId")
        #expect(schema["pattern"] != nil)
        let alphabet = ["0", "1", "3", "5", "6", "8", "9", "9", "6", "5", "-", "-", "S", "t", "F", "g", "M", "A", "z", "X",
                        ".", "_", "@", " ", "+", "é", "%"]
        var cases = Self.generated(20_000, alphabet: alphabet, lengths: 0...14, seed: 13)
        cases += ["M01-0001", "M1", "T3-12", "91234567", "9123-4567", "+6591234567", "6591234567", "x91234567y", "x-91234567",
                  "S1234567D", "s-1234-567-d", "12345678", "912345678", "a@b", "", String(repeating: "A", count: 33),
                  "6512345678", "36912345", "-6-5-9-1-2-3-4-5-6-7-"]
        var accepted = 0
        for id in cases {
            let server = (try? RequestLimits.memberID(id)) != nil
            let schemaSays = try Self.valid(id, schema)
            #expect(schemaSays == server, "member id \"\(id)\": schema says \(schemaSays), server \(server)")
            if server { accepted += 1 }
        }
        // Both sides of the rule occur.
        #expect(accepted > 1_000 && accepted < cases.count - 1_000, "accepted \(accepted) of \(cases.count)")
    }

    @Test func identifierPatternIsTheServersRule() throws {
        let schema = try Self.property("QuoteLine", "sku")
        let alphabet = ["A", "1", " ", "~", "-", "\u{7F}", "\u{1F}", "é", "中", "\u{1F600}", "/", "%"]
        for sku in Self.generated(5_000, alphabet: alphabet, lengths: 0...70, seed: 7) {
            let server = (try? RequestLimits.sku(sku)) != nil
            #expect(try Self.valid(sku, schema) == server, "sku \"\(sku)\"")
        }
    }

    @Test func reasonLimitIsStatedInCharacters() throws {
        let schema = try Self.property("PrepareRequest", "reason")
        let alphabet = ["a", "中", "\u{1F600}", " ", "\u{7}", "\u{85}", "é"]
        for reason in Self.generated(5_000, alphabet: alphabet, lengths: 0...40, seed: 3) {
            let server = (try? RequestLimits.reason(reason)) != nil
            #expect(try Self.valid(reason, schema) == server, "reason \"\(reason.unicodeScalars.map { String($0.value, radix: 16) })\"")
        }
    }
}
