import SGPOSChain
import SGPOSCodec
import Testing

/// A state that counts its reads, to see which reads an overlay answers itself.
private final class CountingState: StateReader {
    var values: [StateKey: [UInt8]] = [:]
    var reads = 0
    func read(_ key: StateKey) throws -> [UInt8]? {
        reads += 1
        return values[key]
    }
}

private struct Counter: CanonicalEncodable, CanonicalDecodable, Equatable {
    var value: UInt64
    func encode(to encoder: inout CanonicalEncoder) { encoder.writeU64(value) }
    init(value: UInt64) { self.value = value }
    init(from decoder: inout CanonicalDecoder) throws(CodecError) { value = try decoder.readU64("value") }
}

private struct Pair: CanonicalDecodable, Equatable {
    var high: UInt32
    var low: UInt32
    init(high: UInt32, low: UInt32) {
        self.high = high
        self.low = low
    }
    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        high = try decoder.readU32("high")
        low = try decoder.readU32("low")
    }
}

@Suite struct StateOverlayTests {
    let key = StateKey(StateTable(declaring: 0x7E, name: "test"), [1, 2, 3])
    let absent = StateKey(StateTable(declaring: 0x7E, name: "test"), [9])

    @Test func aBaseRecordIsDecodedOnceAndWritesAlwaysWin() throws {
        let base = CountingState()
        base.values[key] = Counter(value: 7).canonicalBytes
        var overlay = StateOverlay(base: base)
        #expect(try overlay.decoded(Counter.self, key) == Counter(value: 7))
        #expect(try overlay.decoded(Counter.self, key) == Counter(value: 7))
        #expect(try overlay.decoded(Counter.self, absent) == nil)
        #expect(try overlay.decoded(Counter.self, absent) == nil)
        #expect(base.reads == 2, "one base read per key, the absence kept too")
        // The same bytes decoded as another type are that type's decoding, not the kept record.
        #expect(try overlay.decoded(Pair.self, key) == Pair(high: 0, low: 7))

        overlay.put(key, Counter(value: 8).canonicalBytes)
        #expect(try overlay.decoded(Counter.self, key) == Counter(value: 8))
        overlay.put(key, nil)
        #expect(try overlay.decoded(Counter.self, key) == nil)
        overlay.put(absent, Counter(value: 1).canonicalBytes)
        #expect(try overlay.decoded(Counter.self, absent) == Counter(value: 1))
    }

    @Test func aRolledBackWriteShowsTheBaseRecordAgain() throws {
        let base = CountingState()
        base.values[key] = Counter(value: 7).canonicalBytes
        var overlay = StateOverlay(base: base)
        #expect(try overlay.decoded(Counter.self, key) == Counter(value: 7))
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try overlay.atomically { state in
                state.put(key, Counter(value: 99).canonicalBytes)
                #expect(try state.decoded(Counter.self, key) == Counter(value: 99))
                throw Refused()
            }
        }
        #expect(try overlay.decoded(Counter.self, key) == Counter(value: 7))
        #expect(overlay.writes.isEmpty)
    }

    @Test func aCorruptRecordIsAnErrorEveryTime() throws {
        let base = CountingState()
        base.values[key] = [1, 2]  // not a u64
        let overlay = StateOverlay(base: base)
        #expect(throws: CodecError.self) { try overlay.decoded(Counter.self, key) }
        #expect(throws: CodecError.self) { try overlay.decoded(Counter.self, key) }
    }

    @Test func keysAreEqualExactlyWhenTableAndBytesAre() {
        let prices = StateTable(declaring: 0x10, name: "prices")
        let stock = StateTable(declaring: 0x11, name: "stock")
        #expect(StateKey(prices, [1, 2]) == StateKey(prices, [1, 2]))
        #expect(StateKey(prices, [1, 2]) != StateKey(stock, [1, 2]))
        #expect(StateKey(prices, [1, 2]) != StateKey(prices, [1, 3]))
        #expect(StateKey(prices, [1, 2]) != StateKey(prices, [1, 2, 0]))
        #expect(StateKey(prices, []) == StateKey(prices, []))
        let shared = [UInt8](repeating: 5, count: 40)
        #expect(StateKey(prices, shared) == StateKey(prices, shared))
    }
}
