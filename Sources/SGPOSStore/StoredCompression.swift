import CZlib
import SGPOSCodec

/// The compressed form in which the store keeps a block and the large per-sale state
/// records (docs/FORMAT.md §9.1): `u32` length n of the bytes ‖ one or more segments, each
/// `u32` length m ‖ m bytes of one zlib stream (RFC 1950, deflate); the bytes are what the
/// segments inflate to, concatenated, exactly n of them. A block is cut into one segment per
/// 64-transaction chunk of its transaction tree, so a proof inflates one chunk, not the
/// block. A segment after the first may be deflated with a preset dictionary: the last
/// ``dictionaryBytesMax`` bytes the first segment inflates to (a block's later chunks
/// repeat what its first holds: keys, tills, SKUs), so reading one later chunk inflates the
/// first one too. Only the stored form is compressed: hashes, signatures, write sets and
/// everything sent over the network are over the bytes themselves, so any zlib
/// implementation at any level, cutting anywhere, may write it.
public enum StoredCompression {
    /// zlib level for blocks: on the scale set's 5-line sales, with the first chunk as the
    /// later chunks' dictionary, level 6 stores 131 B a sale at ~10 µs of compression (Python's
    /// zlib), level 5 137 B at ~6.5 µs, level 4 142 B at ~5.6 µs, level 9 128 B at ~72 µs.
    public static let blockLevel: Int32 = 6
    /// zlib level for state records (a few hundred bytes, written on the block writer's path).
    public static let stateLevel: Int32 = 1
    /// deflate cannot inflate more than 1,032 bytes per stream byte (RFC 1951's longest
    /// match, 258 bytes, per 2 bits at best): a larger stated length is corrupt, so a damaged
    /// or hostile store cannot make a reader allocate more than that.
    public static let expansionMax = 1_032
    static let headerBytes = 4
    /// The preset dictionary of a segment after the first: at most this many bytes, the
    /// last of what the first segment holds (zlib's largest window).
    public static let dictionaryBytesMax = 32_768

    /// `bytes` in the stored form, deflated at `level`, a new segment starting at each of
    /// `cuts` (ascending offsets strictly inside `bytes`); with `dictionary`, every segment
    /// after the first is deflated with the preset dictionary (the first one's last bytes).
    public static func compress(_ bytes: [UInt8], level: Int32, cuts: [Int] = [], dictionary: Bool = false) -> [UInt8] {
        precondition(bytes.count <= Int(UInt32.max), "value too long for the stored form")
        var output = StoreLayout.u32(UInt32(bytes.count))
        var start = 0
        let preset = cuts.first.map { bytes[max(0, $0 - dictionaryBytesMax)..<$0] }
        for end in cuts + [bytes.count] {
            precondition(end > start || (end == 0 && bytes.isEmpty), "segment cuts must ascend inside the value")
            let stream = deflated(bytes[start..<end], level: level, dictionary: dictionary && start > 0 ? preset : nil)
            output += StoreLayout.u32(UInt32(stream.count))
            output += stream
            start = end
        }
        return output
    }

    private static func deflated(_ bytes: ArraySlice<UInt8>, level: Int32, dictionary: ArraySlice<UInt8>? = nil) -> [UInt8] {
        var stream = z_stream()
        // A window no larger than the input (at least zlib's 512 bytes) and a hash table to
        // match: a few hundred bytes are compressed as well as with the full 32 KiB window,
        // without allocating and clearing ~256 KiB of deflate state for each of them. With a
        // dictionary, the full window, so that all of it can be matched.
        let windowBits = dictionary != nil ? 15 : Int32(min(15, max(9, Int.bitWidth - max(1, bytes.count - 1).leadingZeroBitCount)))
        let initialised = sgpos_deflate_init(&stream, level, windowBits, min(8, windowBits - 7))
        precondition(initialised == Z_OK, "deflateInit2 failed: \(initialised)")
        defer { deflateEnd(&stream) }
        if let dictionary {
            let set = dictionary.withUnsafeBufferPointer { deflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
            precondition(set == Z_OK, "deflateSetDictionary failed: \(set)")
        }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written: Int = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(bound)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate into deflateBound bytes did not finish: \(status)")
                return Int(stream.total_out)
            }
        }
        output.removeLast(bound - written)
        return output
    }

    /// The n bytes a stored value holds. Throws ``StoreError`` (corrupt) when the value
    /// states more than ``expansionMax`` times its length, its segments do not frame it
    /// exactly, a segment is not one zlib stream that ends it, or the segments inflate to
    /// other than n bytes.
    public static func decompress(_ stored: [UInt8], what: @autoclosure () -> String) throws -> [UInt8] {
        let length = try statedLength(stored, what: what())
        return try inflate(stored, count: length, whole: true, what: what())
    }

    /// The first `count` bytes (fewer when the value holds fewer) that a stored value holds:
    /// only as much as they need is inflated (a block's header without its transactions).
    public static func decompressPrefix(_ stored: [UInt8], count: Int, what: @autoclosure () -> String) throws -> [UInt8] {
        let length = try statedLength(stored, what: what())
        return try inflate(stored, count: min(count, length), whole: count >= length, what: what())
    }

    /// The length n a stored value states.
    public static func statedLength(_ stored: [UInt8], what: @autoclosure () -> String) throws -> Int {
        guard stored.count > headerBytes else {
            throw StoreError.corrupt("\(what()) is \(stored.count) bytes, too short for a compressed value")
        }
        let length = Int(readU32(stored, at: 0))
        guard length <= (stored.count - headerBytes) * expansionMax else {
            throw StoreError.corrupt("\(what()) states \(length) bytes, more than \(expansionMax) times its \(stored.count - headerBytes)-byte stream")
        }
        return length
    }

    /// The byte ranges of the value's segments' streams, in order.
    public static func segments(_ stored: [UInt8], what: @autoclosure () -> String) throws -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var offset = headerBytes
        while offset < stored.count {
            guard stored.count - offset >= 4 else {
                throw StoreError.corrupt("\(what()) ends inside a segment's length")
            }
            let length = Int(readU32(stored, at: offset))
            guard length >= 1, length <= stored.count - offset - 4 else {
                throw StoreError.corrupt("\(what()) has a segment of \(length) bytes where \(stored.count - offset - 4) remain")
            }
            ranges.append((offset + 4)..<(offset + 4 + length))
            offset += 4 + length
        }
        guard !ranges.isEmpty else { throw StoreError.corrupt("\(what()) has no segment") }
        return ranges
    }

    /// What segment `index` of a stored value inflates to (at most the value's stated
    /// length): a part of the value read without inflating the segments before it.
    public static func segment(_ stored: [UInt8], _ index: Int, what: @autoclosure () -> String) throws -> [UInt8] {
        let length = try statedLength(stored, what: what())
        let ranges = try segments(stored, what: what())
        guard index < ranges.count else { throw StoreError.corrupt("\(what()) has \(ranges.count) segments, not \(index + 1)") }
        // A later segment with a preset dictionary needs the first one's bytes.
        let dictionary: [UInt8]? = try index > 0 && asksForDictionary(stored, ranges[index])
            ? Array(segment(stored, 0, what: what()).suffix(dictionaryBytesMax)) : nil
        // Room for what the segment may hold, left uninitialised: only what it inflates to is kept.
        return try filled(capacity: min(length, ranges[index].count * expansionMax)) { buffer in
            let produced = try inflateSegment(stored, ranges[index], into: buffer, untilFull: false, dictionary: dictionary, what: what())
            if produced.overflowed { throw StoreError.corrupt("\(what()) has a segment inflating to more than the value's \(length) bytes") }
            return produced.count
        }
    }

    /// An array of at most `capacity` bytes: the first ones `fill` writes, as many as it
    /// returns (none is exposed when it throws).
    private static func filled(capacity: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) throws -> Int) throws -> [UInt8] {
        var failure: (any Error)?
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = 0
            do { initialized = try fill(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return output
    }

    private static func readU32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    private static func inflate(_ stored: [UInt8], count: Int, whole: Bool, what: @autoclosure () -> String) throws -> [UInt8] {
        let ranges = try segments(stored, what: what())
        return try filled(capacity: count) { buffer in
            var initialized = 0
            var dictionary: [UInt8]?
            for (index, range) in ranges.enumerated() {
                guard whole || initialized < count else { break }
                if index == 1 { dictionary = Array(buffer[max(0, initialized - dictionaryBytesMax)..<initialized]) }
                let rest = UnsafeMutableBufferPointer(rebasing: buffer[initialized..<count])
                let produced = try inflateSegment(stored, range, into: rest, untilFull: !whole, dictionary: dictionary, what: what())
                initialized += produced.count
                if whole && produced.overflowed {
                    throw StoreError.corrupt("\(what()) inflates to more than its stated \(count) bytes")
                }
            }
            if initialized != count {
                throw StoreError.corrupt("\(what()) inflates to \(initialized) bytes, not its stated \(count)")
            }
            return initialized
        }
    }

    /// Whether the zlib stream at `range` says it was deflated with a preset dictionary
    /// (RFC 1950: bit 5, FDICT, of its second byte).
    static func asksForDictionary(_ stored: [UInt8], _ range: Range<Int>) -> Bool {
        range.count >= 2 && stored[range.lowerBound + 1] & 0x20 != 0
    }

    /// Inflates one segment's stream into `out`. With `untilFull`, stops (successfully) when
    /// `out` is full; otherwise the stream must end within `out`, consuming the segment
    /// exactly; `overflowed` says it had more to give than `out` holds. A stream that asks
    /// for a preset dictionary gets `dictionary` (one that was not given, or whose Adler-32
    /// the stream does not name, is corrupt).
    private static func inflateSegment(_ stored: [UInt8], _ range: Range<Int>, into out: UnsafeMutableBufferPointer<UInt8>,
                                       untilFull: Bool, dictionary: [UInt8]? = nil,
                                       what: @autoclosure () -> String) throws -> (count: Int, overflowed: Bool) {
        var stream = z_stream()
        let initialised = sgpos_inflate_init(&stream)
        precondition(initialised == Z_OK, "inflateInit failed: \(initialised)")
        defer { inflateEnd(&stream) }
        var spare: UInt8 = 0
        var status: Int32 = Z_OK
        stored.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + range.lowerBound)
            stream.avail_in = uInt(range.count)
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(out.count)
            status = CZlib.inflate(&stream, Z_FINISH)
            if status == Z_NEED_DICT, let dictionary {
                let set = dictionary.withUnsafeBufferPointer { inflateSetDictionary(&stream, $0.baseAddress, uInt($0.count)) }
                status = set == Z_OK ? CZlib.inflate(&stream, Z_FINISH) : Z_DATA_ERROR
            }
            // Room exhausted before the end: one byte more says whether the stream had more.
            if !untilFull, status != Z_STREAM_END, stream.avail_out == 0, status != Z_DATA_ERROR, status != Z_NEED_DICT {
                withUnsafeMutablePointer(to: &spare) { stream.next_out = $0 }
                stream.avail_out = 1
                status = CZlib.inflate(&stream, Z_FINISH)
            }
        }
        let produced = min(Int(stream.total_out), out.count)
        if untilFull && produced == out.count && (status == Z_OK || status == Z_BUF_ERROR || status == Z_STREAM_END) {
            return (produced, false)
        }
        if Int(stream.total_out) > out.count { return (produced, true) }
        guard status == Z_STREAM_END, stream.avail_in == 0 else {
            throw StoreError.corrupt("\(what()) has a segment that is not one zlib stream ending it"
                                     + " (zlib status \(status), \(stream.avail_in) stream bytes left, \(produced) bytes out)")
        }
        return (produced, false)
    }
}
