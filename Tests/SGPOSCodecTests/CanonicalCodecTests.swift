import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSTestSupport
import Testing

@Suite struct CanonicalCodecTests {
    @Test func integersAreBigEndianFixedWidth() throws {
        var encoder = CanonicalEncoder()
        encoder.writeU16(0x0102)
        encoder.writeU32(0x0304_0506)
        encoder.writeU64(0x0708_090a_0b0c_0d0e)
        encoder.writeI64(-2)
        #expect(encoder.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] + [UInt8](repeating: 0xff, count: 7) + [0xfe])
        var decoder = CanonicalDecoder(encoder.bytes)
        #expect(try decoder.readU16("a") == 0x0102)
        #expect(try decoder.readU32("b") == 0x0304_0506)
        #expect(try decoder.readU64("c") == 0x0708_090a_0b0c_0d0e)
        #expect(try decoder.readI64("d") == -2)
        try decoder.finish("test")
    }

    @Test func stringsAndBytesRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let length = Int.random(in: 0...300, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = String(decoding: (0..<length).map { _ in UInt8.random(in: 0x20...0x7e, using: &generator) }, as: UTF8.self) + "新加坡"
            var encoder = CanonicalEncoder()
            encoder.writeBytes(bytes, limit: 1_000)
            encoder.writeString(text, limit: 1_000)
            encoder.writeBool(length % 2 == 0)
            var decoder = CanonicalDecoder(encoder.bytes)
            #expect(try decoder.readBytes("bytes", limit: 1_000) == bytes)
            #expect(try decoder.readString("text", limit: 1_000) == text)
            #expect(try decoder.readBool("flag") == (length % 2 == 0))
            try decoder.finish("round trip")
        }
    }

    @Test func rejectsTruncatedTrailingAndOversizedInput() {
        var truncated = CanonicalDecoder([0, 0, 0, 5, 1, 2])
        #expect(throws: CodecError.self) { try truncated.readBytes("field", limit: 10) }
        var oversized = CanonicalDecoder([0, 0, 0, 11] + [UInt8](repeating: 0, count: 11))
        #expect { try oversized.readBytes("field", limit: 10) } throws: { ($0 as? CodecError)?.code == 3 }
        let trailing = CanonicalDecoder([1])
        #expect { try trailing.finish("structure") } throws: { ($0 as? CodecError)?.code == 2 }
    }

    @Test func rejectsNonCanonicalBooleansAndInvalidUTF8() throws {
        var boolean = CanonicalDecoder([2])
        #expect { try boolean.readBool("flag") } throws: { ($0 as? CodecError)?.code == 4 }
        var text = CanonicalDecoder([0, 0, 0, 2, 0xc3, 0x28])
        #expect { try text.readString("text", limit: 10) } throws: { ($0 as? CodecError)?.code == 7 }
        // ASCII takes a quick path; anything else is validated: a lone continuation byte,
        // an overlong encoding, a surrogate, all after ASCII.
        for invalid: [UInt8] in [[0x41, 0x80], [0x41, 0x42, 0xc0, 0xaf], [0x41, 0xed, 0xa0, 0x80], [0x41, 0xff]] {
            var decoder = CanonicalDecoder([0, 0, 0, UInt8(invalid.count)] + invalid)
            #expect(throws: CodecError.self) { try decoder.readString("text", limit: 10) }
        }
        var ascii = CanonicalDecoder([0, 0, 0, 5] + Array("SKU-1".utf8) + [0, 0, 0, 0])
        #expect(try ascii.readString("text", limit: 10) == "SKU-1")
        #expect(try ascii.readString("empty", limit: 10) == "")
        #expect(ascii.remaining == 0)
    }

    @Test func hexRoundTripsAndRejectsGarbage() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00abff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("00ABff") == nil, "upper-case hex is not canonical")
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func hexSpellsEveryByteOneWayWhateverTheSequence() {
        let all = (0...255).map { UInt8($0) }
        let expected = all.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(Hex.encode(all) == expected)
        #expect(Hex.encode(all[100...]) == String(expected.dropFirst(200)), "a slice starts at its own first byte")
        #expect(Hex.encode(all.lazy.map { $0 }) == expected, "a sequence without contiguous storage")
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.decode(expected) == all)
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("0g") == nil && Hex.decode("g0") == nil && Hex.decode("00 1") == nil)
        #expect(Hex.decode("é0") == nil, "a non-ASCII character")
    }
}

@Suite struct TransactionEncodingTests {
    let network = TestNetwork()

    @Test func signedTransactionRoundTripsAndIsCanonical() throws {
        let till = TestNetwork.key("till")
        let signed = network.registerTill(till, principal: "till-01", sequence: 1)
        let decoded = try SignedTransaction(encoded: signed.encoded)
        #expect(decoded == signed)
        #expect(decoded.id == signed.id)
        #expect(decoded.hasValidSignature)
        #expect(decoded.envelope == signed.envelope)
    }

    @Test func decodingRejectsTrailingBytesUnknownVersionsAndBodies() throws {
        let signed = network.registerTill(TestNetwork.key("till"), principal: "till-01", sequence: 1)
        #expect { try SignedTransaction(encoded: signed.encoded + [0]) } throws: { ($0 as? CodecError)?.code == 2 }
        var version = signed.encoded
        version[0] = 2
        #expect { try SignedTransaction(encoded: version) } throws: { ($0 as? CodecError)?.code == 5 }
        #expect(throws: CodecError.self) { try SignedTransaction(encoded: Array(signed.encoded.dropLast())) }
        #expect(throws: CodecError.self) { try TransactionBody.decode(type: 0x0042, payload: []) }
    }

    /// Random mutations of real encodings: decoding never crashes, and whatever decodes
    /// re-encodes to exactly the same bytes (one encoding per value).
    @Test func randomMutationsNeverDecodeToADifferentEncoding() throws {
        var generator = SeededGenerator(seed: 2026)
        let samples = (1...8).map { network.registerTill(TestNetwork.key("t\($0)"), principal: "till-\($0)", sequence: UInt64($0)).encoded }
        var decodedCount = 0
        for round in 0..<4_000 {
            var bytes = samples[round % samples.count]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
                case 2 where bytes.count > 1: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator))
                default: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
                }
            }
            if let decoded = try? SignedTransaction(encoded: bytes) {
                decodedCount += 1
                #expect(decoded.envelope.unsignedBytes + decoded.signature.bytes == bytes)
            }
        }
        // Flipping bytes inside keys, signatures or ids still decodes: the check is meaningful.
        #expect(decodedCount > 100)
    }

    @Test func randomGarbageIsRejectedNotCrashing() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0...400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? SignedTransaction(encoded: bytes)
            _ = try? Block(encoded: bytes)
            _ = try? Genesis(canonicalBytes: bytes)
        }
    }

    @Test func genesisRoundTripsThroughCanonicalBytesAndJSONDocument() throws {
        let genesis = network.genesis
        #expect(try Genesis(canonicalBytes: genesis.canonicalBytes) == genesis)
        #expect(try GenesisDocument(genesis).genesis() == genesis)
        #expect(try GenesisDocument(genesis).genesis().id == genesis.id)
    }
}
