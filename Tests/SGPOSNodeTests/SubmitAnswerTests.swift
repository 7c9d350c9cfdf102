import Foundation
@testable import SGPOSNode
import SGPOSClient
import SGPOSProofs
import Testing

/// The submit answer written without JSONEncoder is JSONEncoder's text, byte for byte.
@Suite struct SubmitAnswerTests {
    func signed(_ header: String, _ signature: String) -> SignedHeaderJSON {
        try! JSONDecoder().decode(SignedHeaderJSON.self, from: Data(#"{"header":"\#(header)","signature":"\#(signature)"}"#.utf8))
    }

    func answer(head: SignedHeaderJSON?, chainId: String) -> API.SubmitResponse {
        let proof = TransactionProof(
            format: TransactionProof.formatName, chainId: chainId, genesisId: String(repeating: "ab", count: 32),
            transaction: String(repeating: "0f", count: 400), transactionId: String(repeating: "cd", count: 32),
            block: signed(String(repeating: "01", count: 180), String(repeating: "02", count: 64)),
            leafIndex: 7, inclusionPath: [String(repeating: "03", count: 32), String(repeating: "04", count: 32)],
            head: head, historyPath: head == nil ? [] : [String(repeating: "05", count: 32)])
        return API.SubmitResponse(status: "committed", transactionId: proof.transactionId, outletId: 4_294_967_295,
                                  height: 123_456_789_012, index: 7, proof: proof)
    }

    @Test(arguments: [false, true])
    func matchesJSONEncoder(withHead: Bool) throws {
        let head = withHead ? signed(String(repeating: "06", count: 180), String(repeating: "07", count: 64)) : nil
        for chainId in ["sgpos-demo", "chain \"x\"/y\\z\n"] {
            let value = answer(head: head, chainId: chainId)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            #expect(String(decoding: value.jsonBytes(), as: UTF8.self) == String(decoding: try encoder.encode(value), as: UTF8.self))
            let back = try JSONDecoder().decode(API.SubmitResponse.self, from: Data(value.jsonBytes()))
            #expect(back.proof == value.proof && back.height == value.height && back.outletId == value.outletId)
        }
    }
}

@Test func requestLogDurationsHaveThreeDecimals() {
    #expect(durationMilliseconds(0) == "0.000")
    #expect(durationMilliseconds(999) == "0.000")
    #expect(durationMilliseconds(1_000) == "0.001")
    #expect(durationMilliseconds(12_345_678) == "12.345")
    #expect(durationMilliseconds(3_000_000_000) == "3000.000")
    // The checkpoint agreed-time gauge: milliseconds as seconds, every digit kept.
    #expect(thousandths(1_700_000_000_123) == "1700000000.123")
    #expect(thousandths(1_700_000_000_005) == "1700000000.005")
    #expect(thousandths(UInt64.max) == "18446744073709551.615")
}
