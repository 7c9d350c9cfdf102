import Foundation
import SGPOSCodec
import SGPOSContracts
import SGPOSOperations
import Testing

/// The submit body's fast reading agrees with the strict decoder wherever it answers, and
/// leaves every other body to it.
@Suite struct SubmitBodyTests {
    /// `API.SubmitRequest`'s shape (SGPOSClient is above this module).
    struct SubmitRequest: Codable { var transaction: String }

    /// What the strict path makes of `body`: the hex decoded, or nil if refused.
    func strict(_ body: String) -> [UInt8]? {
        guard let request = try? StrictJSON.decode(SubmitRequest.self, from: Data(body.utf8)) else { return nil }
        return Hex.decode(request.transaction)
    }

    @Test func readsTheExactShapeAsTheStrictDecoderDoes() {
        for body in [#"{"transaction":"00abff"}"#, " {\n\t\"transaction\" :  \"0102\" }\r\n", #"{"transaction":""}"#] {
            let fast = SubmitBody.transactionBytes(Array(body.utf8))
            #expect(fast != nil, "\(body)")
            #expect(fast == strict(body), "\(body)")
        }
    }

    @Test func leavesEveryOtherBodyToTheStrictDecoder() {
        let others = [
            #"{"transaction":"00ABFF"}"#,             // upper case: strict decodes, Hex refuses
            #"{"transaction":"00\u0061b"}"#,          // an escape
            #"{"transaction":"00ab","transaction":"01"}"#,
            #"{"transaction":"00ab","extra":1}"#,
            #"{"transaction":"00ab"} x"#,
            #"{"transaction":"00ab""#,
            #"{"transaction":"0"}"#,                  // odd length
            #"{"transaction":"00ab}"#,
            #"["transaction","00ab"]"#,
            #"{"Transaction":"00ab"}"#,
            "",
            "{",
        ]
        for body in others {
            #expect(SubmitBody.transactionBytes(Array(body.utf8)) == nil, "\(body)")
        }
        #expect(strict(#"{"transaction":"00\u0061b"}"#) == [0x00, 0xab], "the strict decoder still reads what the fast one leaves")
    }
}

@Suite struct JSONTextTests {
    struct Sample: Codable { var a: String; var b: UInt64; var c: [String]; var d: Inner }
    struct Inner: Codable { var x: String; var y: String }

    @Test func writesWhatJSONEncoderWritesWithSortedKeys() throws {
        let sample = Sample(a: "sgpos-tx-proof/1 \"quoted\" back\\slash\ttab\nnew\u{1}é", b: 18_446_744_073_709_551_615,
                            c: ["00ff", "", "/"], d: Inner(x: "deadbeef", y: "z"))
        var text = JSONText()
        text.openObject()
        text.key("a"); text.string(sample.a)
        text.key("b"); text.number(sample.b)
        text.key("c"); text.strings(sample.c)
        text.key("d")
        text.openObject()
        text.key("x"); text.string(sample.d.x)
        text.key("y"); text.string(sample.d.y)
        text.closeObject()
        text.closeObject()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: text.bytes, as: UTF8.self) == String(decoding: try encoder.encode(sample), as: UTF8.self))
        let decoded = try JSONDecoder().decode(Sample.self, from: Data(text.bytes))
        #expect(decoded.a == sample.a && decoded.b == sample.b && decoded.c == sample.c && decoded.d.x == "deadbeef")
    }
}

/// `contract run`'s basket: the GST inputs are checked where they enter.
@Suite struct RuleTrialGSTInputTests {
    func trial(_ json: String) throws -> RuleTrial { try JSONDecoder().decode(RuleTrial.self, from: Data(json.utf8)) }

    @Test func taxAndRateAreReadAndChecked() throws {
        let input = try trial(#"{"at": "2026-11-05T10:00:00+08:00", "gstRate": 800, "lines": [{"sku": "A", "qty": 1, "unitPrice": "1.00", "tax": "ZR"},"#
            + #"{"sku": "B", "qty": 1, "unitPrice": "1.00", "includesGst": false}]}"#).input()
        #expect(input.lines.map(\.tax) == ["ZR", "SR"] && input.lines.map(\.gstRate) == [0, 800] && input.lines.map(\.includesGST) == [true, false])
        #expect(throws: RequestError.self) { try trial(#"{"at": "2026-11-05T10:00:00+08:00", "lines": [{"sku": "A", "qty": 1, "unitPrice": "1.00", "tax": "XX"}]}"#).input() }
        #expect(throws: RequestError.self) { try trial(#"{"at": "2026-11-05T10:00:00+08:00", "gstRate": 10001, "lines": []}"#).input() }
    }
}
