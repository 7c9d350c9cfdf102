import Foundation
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Testing

/// Store format 5 (FORMAT.md §9.1): blocks and the sales and sale-pricing records are kept
/// as `u32` length ‖ one zlib stream; readers see the bytes, any damage to the stored form
/// is a corrupt store, and `chain upgrade` converts a format-4 store in place.
@Suite struct CompressedStoreTests {
    @Test(arguments: [0, 1, 31, 432, 70_000])
    func valuesRoundTrip(length: Int) throws {
        // Half text-like (compressible), half pseudo-random (a multiplicative hash).
        let bytes: [UInt8] = (0..<length).map { (index: Int) -> UInt8 in
            if index % 2 == 0 { return UInt8(65 + index % 7) }
            let mixed: UInt64 = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            return UInt8(truncatingIfNeeded: mixed >> 56)
        }
        let header: [UInt8] = StoreLayout.u32Bytes(UInt32(length))
        for level in [StoredCompression.stateLevel, StoredCompression.blockLevel] {
            let stored = StoredCompression.compress(bytes, level: level)
            #expect(Array(stored.prefix(4)) == header)
            #expect(try StoredCompression.decompress(stored, what: "value") == bytes)
            #expect(try StoredCompression.decompressPrefix(stored, count: 10, what: "value") == Array(bytes.prefix(10)))
            #expect(try StoredCompression.decompressPrefix(stored, count: length + 5, what: "value") == bytes)
        }
    }

    /// Segments: each part read alone, the whole and any prefix across them.
    @Test func segmentsAreReadAloneOrTogether() throws {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) }
        let stored = StoredCompression.compress(bytes, level: 4, cuts: [100, 640])
        #expect(try StoredCompression.segments(stored, what: "value").count == 3)
        #expect(try StoredCompression.decompress(stored, what: "value") == bytes)
        #expect(try StoredCompression.segment(stored, 0, what: "value") == Array(bytes[0..<100]))
        #expect(try StoredCompression.segment(stored, 1, what: "value") == Array(bytes[100..<640]))
        #expect(try StoredCompression.segment(stored, 2, what: "value") == Array(bytes[640...]))
        #expect(try StoredCompression.decompressPrefix(stored, count: 700, what: "value") == Array(bytes.prefix(700)))
        #expect(throws: StoreError.self) { try StoredCompression.segment(stored, 3, what: "value") }
        // A segment length past the end, and a value that says more than its segments hold.
        var broken = stored
        broken[7] &+= 1
        #expect(throws: StoreError.self) { try StoredCompression.decompress(broken, what: "value") }
        let firstTwo = Array(stored.prefix(try StoredCompression.segments(stored, what: "value")[1].upperBound))
        #expect(throws: StoreError.self) { try StoredCompression.decompress(firstTwo, what: "value") }
    }

    /// Later segments may use the first one's last bytes as preset dictionary: readers
    /// supply it, whole or one segment at a time; a DICTID that is not the dictionary's
    /// Adler-32, and a first segment that asks for a dictionary, are corrupt.
    @Test func laterSegmentsUseTheFirstAsPresetDictionary() throws {
        // Records of 250 pseudo-random bytes repeated from the first segment on.
        let record = (0..<250).map { UInt8(truncatingIfNeeded: (UInt64($0) &* 0x9E37_79B9_7F4A_7C15) >> 56) }
        let bytes = (0..<300).flatMap { index in record.map { $0 ^ UInt8(index % 3) } }
        let cuts = [25_000, 50_000]
        let plain = StoredCompression.compress(bytes, level: 4, cuts: cuts)
        let preset = StoredCompression.compress(bytes, level: 4, cuts: cuts, dictionary: true)
        #expect(preset.count < plain.count - 400, "\(preset.count) against \(plain.count)")
        #expect(try StoredCompression.decompress(preset, what: "value") == bytes)
        #expect(try StoredCompression.decompressPrefix(preset, count: 30_000, what: "value") == Array(bytes.prefix(30_000)))
        #expect(try StoredCompression.segment(preset, 2, what: "value") == Array(bytes[50_000...]))
        #expect(try StoredCompression.segment(preset, 0, what: "value") == Array(bytes[..<25_000]))
        let ranges = try StoredCompression.segments(preset, what: "value")
        #expect(preset[ranges[0].lowerBound + 1] & 0x20 == 0 && preset[ranges[1].lowerBound + 1] & 0x20 != 0, "FDICT")
        var otherDictionary = preset
        otherDictionary[ranges[1].lowerBound + 2] ^= 0x01  // DICTID
        #expect(throws: StoreError.self) { try StoredCompression.decompress(otherDictionary, what: "value") }
        #expect(throws: StoreError.self) { try StoredCompression.segment(otherDictionary, 1, what: "value") }
        let firstAsks = StoreLayout.u32Bytes(25_000) + StoreLayout.u32Bytes(UInt32(ranges[1].count)) + Array(preset[ranges[1]])
        #expect(throws: StoreError.self) { try StoredCompression.decompress(firstAsks, what: "value") }
    }

    /// A block of more than 64 transactions is stored one segment per chunk of its
    /// transaction tree; a chunk is read alone, and proofs use it.
    @Test func largeBlocksAreStoredOneSegmentPerChunk() throws {
        let directory = TemporaryDirectory()
        let network = TestNetwork()
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0])
        let batch = (0..<150).map { index in
            network.registerTill(TestNetwork.key("till-\(index)"), principal: "till-\(index)", sequence: UInt64(index + 1))
        }
        _ = try writer.append(batch, timestampMs: 1_700_000_000_000)
        let blocks = try store.database(named: "blocks")
        try store.environment.read { transaction in
            let stored = try #require(try transaction.get(blocks, StoreLayout.blockKey(1, 1)))
            #expect(try StoredCompression.segments(stored, what: "block").count == 3)
            let block = try #require(try store.block(1, height: 1, transaction))
            for chunk in 0..<3 {
                let transactions = try #require(try store.chunkTransactions(1, height: 1, chunk: chunk, size: 150, transaction))
                #expect(transactions == block.transactions[MerkleTree.chunkRange(chunk, size: 150)].map(\.encoded))
            }
        }
    }

    @Test func compressedRecordsShrink() {
        let record = [UInt8](repeating: 0, count: 300) + Array("SKU-140SKU-153SKU-166till-1".utf8)
        #expect(StoredCompression.compress(record, level: StoredCompression.stateLevel).count < record.count / 4)
    }

    /// Every malformed stored value is refused as corrupt, never trusted or over-allocated.
    @Test func damagedValuesAreCorrupt() throws {
        let bytes = Array("the same line again, the same line again, the same line again".utf8)
        let stored = StoredCompression.compress(bytes, level: 6)
        func corrupt(_ value: [UInt8]) -> Bool {
            do { _ = try StoredCompression.decompress(value, what: "value"); return false } catch let error as StoreError {
                return error.isCorrupt && error.message.hasPrefix("value ")
            } catch { return false }
        }
        #expect(corrupt([]))
        #expect(corrupt([0, 0, 0, 0]), "a header with no stream")
        var longer = stored
        longer[3] += 1
        #expect(corrupt(longer), "states one byte more than the stream holds")
        var shorter = stored
        shorter[3] -= 1
        #expect(corrupt(shorter), "states one byte less than the stream holds")
        #expect(corrupt(stored + [0]), "a byte after the stream")
        #expect(corrupt(Array(stored.dropLast())), "a stream cut short")
        var checksum = stored
        checksum[checksum.count - 1] ^= 1
        #expect(corrupt(checksum), "the Adler-32 does not match")
        // A stated length beyond what deflate can expand to is refused before any allocation.
        let bomb: [UInt8] = [0x7F, 0xFF, 0xFF, 0xFF] + Array(stored.dropFirst(4))
        #expect(throws: StoreError.self) { try StoredCompression.statedLength(bomb, what: "value") }
        #expect(corrupt(bomb))
    }

    /// A sale's record is stored compressed and read back as its bytes; a format-4 store
    /// (blocks and records as they are) is refused until `upgrade` converts it, after which
    /// every block and record holds the same bytes and the audit passes.
    @Test func aFormat4StoreIsUpgradedInPlace() throws {
        let (store, network, scratch) = try POSReplayTests().shopLedger()
        let blocks = try store.database(named: "blocks"), state = try store.database(named: "state")
        let meta = try store.database(named: "meta")
        func logical() throws -> (blocks: [[UInt8]: [UInt8]], state: [[UInt8]: [UInt8]]) {
            try store.environment.read { transaction in
                var blockBytes: [[UInt8]: [UInt8]] = [:], stateBytes: [[UInt8]: [UInt8]] = [:]
                try transaction.scan(blocks) { key, value in
                    blockBytes[key] = try StoredCompression.decompress(value, what: "block")
                    return true
                }
                try transaction.scan(state) { key, value in
                    stateBytes[key] = try StoreLayout.stateValue(StateTable(rawValue: key[4])!, stored: value, what: "state")
                    return true
                }
                return (blockBytes, stateBytes)
            }
        }
        let before = try logical()
        let saleKeys = before.state.keys.filter { $0[4] == StateTable.sales.rawValue }
        #expect(saleKeys.count == 50)
        let sale = try #require(saleKeys.first)
        try store.environment.read { transaction in
            let raw = try #require(try transaction.get(state, sale))
            #expect(raw != before.state[sale] && raw.count < before.state[sale]!.count, "stored compressed")
            #expect(try store.stateReader(1, transaction).read(StateKey(bytes: Array(sale.dropFirst(4)))!) == before.state[sale])
        }
        // What format 4 held: the same entries, uncompressed, and idempotency values that
        // start with the transaction id.
        try olderIdempotencyValues(store)
        try store.environment.write { transaction in
            for (key, value) in before.blocks { try transaction.put(blocks, key, value) }
            for key in saleKeys { try transaction.put(state, key, before.state[key]!) }
            try transaction.put(meta, StoreLayout.MetaKey.format, [0, 0, 0, 4])
        }
        let options = LedgerStore.Options(durability: .unsafeNoSyncForTests)
        #expect { _ = try LedgerStore.open(dataDirectory: scratch.path, options: options) } throws: { "\($0)".contains("sgpos chain upgrade") }
        let report = try LedgerStore.upgrade(dataDirectory: scratch.path, options: options)
        #expect(report == .init(fromFormat: 4, blocks: before.blocks.count, transactionTrees: 0))
        #expect(try logical() == before)
        let idempotency = try store.database(named: "idempotency")
        try store.environment.read { transaction in
            try transaction.scan(idempotency) { _, value in
                #expect(value.count == 12, "height ‖ index")
                return true
            }
        }
        let upgraded = try LedgerStore.open(dataDirectory: scratch.path, options: options)
        let audit = try AuditVerifier(rules: POSRules.chainRules).verify(store: upgraded, trustedGenesis: network.genesis)
        #expect(audit.isValid, "\(audit.findings)")
        #expect(try LedgerStore.upgrade(dataDirectory: scratch.path, options: options) == .init(fromFormat: StoreLayout.formatVersion, blocks: 0, transactionTrees: 0))
    }

    /// A block whose stored form is damaged is a finding of the audit at its height.
    @Test func aDamagedBlockIsAnAuditFinding() throws {
        let (store, network, _) = try POSReplayTests().shopLedger()
        let blocks = try store.database(named: "blocks")
        try store.environment.write { transaction in
            var value = try #require(try transaction.get(blocks, StoreLayout.blockKey(1, 10)))
            value[value.count - 1] ^= 0x01  // the Adler-32 of the last segment
            try transaction.put(blocks, StoreLayout.blockKey(1, 10), value)
        }
        #expect(throws: StoreError.self) { try store.environment.read { try store.block(1, height: 10, $0) } }
        let audit = try AuditVerifier(rules: POSRules.chainRules).verify(store: store, trustedGenesis: network.genesis)
        #expect(audit.findings.contains { $0.rule == "store/blocks" && $0.height == 10 }, "\(audit.findings)")
    }

    /// A sale record whose stored form is damaged is a finding of the audit, not a crash.
    @Test func aDamagedSaleRecordIsAnAuditFinding() throws {
        let (store, network, _) = try POSReplayTests().shopLedger()
        let state = try store.database(named: "state")
        let sale = try store.environment.read { transaction in
            var found: [UInt8]?
            try transaction.scan(state, from: StoreLayout.u32Bytes(1) + [StateTable.sales.rawValue], limit: 1) { key, _ in
                found = key
                return false
            }
            return try #require(found)
        }
        try store.environment.write { transaction in
            var value = try #require(try transaction.get(state, sale))
            value[value.count - 1] ^= 0x01
            try transaction.put(state, sale, value)
        }
        let audit = try AuditVerifier(rules: POSRules.chainRules).verify(store: store, trustedGenesis: network.genesis)
        #expect(audit.findings.map(\.message) == ["state entry \(Hex.encode(sale)) differs from the replayed state"])
    }
}

/// Rewrites every `idempotency` value as formats 3 and 4 held it: transaction id ‖ height ‖ index.
func olderIdempotencyValues(_ store: LedgerStore) throws {
    let idempotency = try store.database(named: "idempotency")
    try store.environment.write { transaction in
        var entries: [([UInt8], [UInt8])] = []
        try transaction.scan(idempotency) { key, value in
            entries.append((key, value))
            return true
        }
        for (key, value) in entries {
            let outlet = UInt32(key[0]) << 24 | UInt32(key[1]) << 16 | UInt32(key[2]) << 8 | UInt32(key[3])
            let location = try #require(try store.idempotentResult(outlet, IdempotencyID(bytes: Array(key.dropFirst(4)))!, transaction))
            try transaction.put(idempotency, key, location.transactionID.bytes + value)
        }
    }
}
