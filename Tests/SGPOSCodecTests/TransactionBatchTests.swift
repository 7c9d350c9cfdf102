import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSTestSupport
import Testing

/// The batch container of `POST /v1/transactions/batch`: count-prefixed, length-prefixed
/// canonical transactions; anything else is refused with the offset in the whole batch.
@Suite struct TransactionBatchTests {
    let network = TestNetwork()

    func transactions(_ count: Int) -> [SignedTransaction] {
        (0..<count).map { network.registerTill(TestNetwork.key("till-\($0)"), principal: "till-\($0)", sequence: UInt64($0 + 1)) }
    }

    @Test func roundTripsAtEveryBoundary() throws {
        for count in [1, 2, 37, Limits.batchTransactionsMax] {
            let batch = TransactionBatch(transactions(count))
            let decoded = try TransactionBatch(encoded: batch.encoded)
            #expect(decoded == batch && decoded.transactions.map(\.id) == batch.transactions.map(\.id))
        }
    }

    @Test func layoutIsCountThenLengthPrefixedTransactions() {
        let list = transactions(2)
        let bytes = TransactionBatch(list).encoded
        let length0 = UInt32(list[0].encoded.count)
        #expect(Array(bytes.prefix(4)) == [0, 0, 0, 2])
        #expect(Array(bytes[4..<8]) == [UInt8(length0 >> 24), UInt8(length0 >> 16 & 0xff), UInt8(length0 >> 8 & 0xff), UInt8(length0 & 0xff)])
        #expect(Array(bytes[8..<(8 + list[0].encoded.count)]) == list[0].encoded)
        #expect(bytes.count == 4 + 8 + list[0].encoded.count + list[1].encoded.count)
    }

    @Test func refusesWhatIsNotABatchNamingTheOffset() {
        let list = transactions(3)
        let bytes = TransactionBatch(list).encoded
        func error(_ data: [UInt8]) -> CodecError? {
            do {
                _ = try TransactionBatch(encoded: data)
                return nil
            } catch {
                return error
            }
        }
        #expect(error([])?.code == 1 && error([])?.offset == 0, "empty: truncated count")
        #expect(error([0, 0, 0, 0])?.code == 8, "no transactions")
        #expect(error([0, 0, 0x03, 0xe9])?.code == 3, "1001 transactions: over the limit")
        #expect(error(bytes + [7])?.code == 2 && error(bytes + [7])?.offset == bytes.count, "trailing byte")
        let truncated = error(Array(bytes.dropLast(1)))
        #expect(truncated?.code == 1 && truncated?.detail.contains("transaction 2") == true)
        var oversized = bytes
        oversized.replaceSubrange(4..<8, with: [0, 0x01, 0x11, 0x71])  // 70 001 bytes
        #expect(error(oversized)?.code == 3 && error(oversized)?.offset == 4)
        // A non-canonical transaction inside: the offset is in the whole batch.
        let second = 4 + 4 + list[0].encoded.count + 4
        var corrupt = bytes
        corrupt[second] = 2  // the second transaction's version byte
        let inner = error(corrupt)
        #expect(inner?.code == 5 && inner?.offset == second && inner?.detail.contains("transaction 1") == true, "\(String(describing: inner))")
    }
}
