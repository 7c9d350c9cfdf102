import CZlib
import SGPOSCodec

/// The compressed form in which the store keeps a block and the large per-sale state
/// records (docs/FORMAT.md §9.1): `u32` length n of the bytes ‖ one zlib stream (RFC 1950,
/// deflate) that inflates to exactly those n bytes and ends the value. Only the stored
/// form is compressed: hashes, signatures, write sets and everything sent over the network
/// are over the bytes themselves, so any zlib implementation at any level may write it.
public enum StoredCompression {
    /// zlib level for blocks: on the scale set's 5-line sales, level 4 stores 135 B a sale
    /// at ~4 µs of compression, level 6 124 B at ~7.5 µs, level 1 153 B at ~3 µs.
    public static let blockLevel: Int32 = 4
    /// zlib level for state records (a few hundred bytes, written on the block writer's path).
    public static let stateLevel: Int32 = 1
    /// deflate cannot inflate more than 1,032 bytes per stream byte (RFC 1951's longest
    /// match, 258 bytes, per 2 bits at best): a larger stated length is corrupt, so a damaged
    /// or hostile store cannot make a reader allocate more than that.
    public static let expansionMax = 1_032
    static let headerBytes = 4

    /// `bytes` in the stored form, deflated at `level`.
    public static func compress(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        precondition(bytes.count <= Int(UInt32.max), "value too long for the stored form")
        var stream = z_stream()
        // A window no larger than the value (at least zlib's 512 bytes) and a hash table to
        // match: a few hundred bytes are compressed as well as with the full 32 KiB window,
        // without allocating and clearing ~256 KiB of deflate state for each of them.
        let windowBits = Int32(min(15, max(9, Int.bitWidth - max(1, bytes.count - 1).leadingZeroBitCount)))
        let initialised = sgpos_deflate_init(&stream, level, windowBits, min(8, windowBits - 7))
        precondition(initialised == Z_OK, "deflateInit2 failed: \(initialised)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: headerBytes + bound)
        let length = UInt32(bytes.count)
        output[0] = UInt8(truncatingIfNeeded: length >> 24)
        output[1] = UInt8(truncatingIfNeeded: length >> 16)
        output[2] = UInt8(truncatingIfNeeded: length >> 8)
        output[3] = UInt8(truncatingIfNeeded: length)
        let written: Int = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress! + headerBytes
                stream.avail_out = uInt(bound)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate into deflateBound bytes did not finish: \(status)")
                return Int(stream.total_out)
            }
        }
        output.removeLast(bound - written)
        return output
    }

    /// The n bytes a stored value holds. Throws ``StoreError`` (corrupt) when the value is
    /// shorter than its header, states more than ``expansionMax`` times its stream, or its
    /// stream is not one zlib stream inflating to exactly n bytes and ending the value.
    public static func decompress(_ stored: [UInt8], what: @autoclosure () -> String) throws -> [UInt8] {
        let length = try statedLength(stored, what: what())
        return try inflate(stored, count: length, whole: true, what: what())
    }

    /// The first `count` bytes (fewer when the value holds fewer) that a stored value holds:
    /// only as much of the stream as they need is inflated (a block's header without its
    /// transactions).
    public static func decompressPrefix(_ stored: [UInt8], count: Int, what: @autoclosure () -> String) throws -> [UInt8] {
        let length = try statedLength(stored, what: what())
        return try inflate(stored, count: min(count, length), whole: count >= length, what: what())
    }

    /// The length n a stored value states.
    public static func statedLength(_ stored: [UInt8], what: @autoclosure () -> String) throws -> Int {
        guard stored.count > headerBytes else {
            throw StoreError.corrupt("\(what()) is \(stored.count) bytes, too short for a compressed value")
        }
        let length = Int(stored[0]) << 24 | Int(stored[1]) << 16 | Int(stored[2]) << 8 | Int(stored[3])
        guard length <= (stored.count - headerBytes) * expansionMax else {
            throw StoreError.corrupt("\(what()) states \(length) bytes, more than \(expansionMax) times its \(stored.count - headerBytes)-byte stream")
        }
        return length
    }

    private static func inflate(_ stored: [UInt8], count: Int, whole: Bool, what: @autoclosure () -> String) throws -> [UInt8] {
        var stream = z_stream()
        let initialised = sgpos_inflate_init(&stream)
        precondition(initialised == Z_OK, "inflateInit failed: \(initialised)")
        defer { inflateEnd(&stream) }
        // One byte of room past `count`: a stream holding more than it states shows as
        // output beyond it instead of stopping exactly at the end of the buffer.
        var status: Int32 = Z_OK
        var produced = 0
        var remaining = 0
        let output = [UInt8](unsafeUninitializedCapacity: count + 1) { buffer, initialized in
            stored.withUnsafeBufferPointer { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + headerBytes)
                stream.avail_in = uInt(input.count - headerBytes)
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(whole ? count + 1 : count)
                status = CZlib.inflate(&stream, Z_FINISH)
                produced = Int(stream.total_out)
                remaining = Int(stream.avail_in)
            }
            initialized = produced
        }
        if whole {
            guard status == Z_STREAM_END, produced == count, remaining == 0 else {
                throw StoreError.corrupt("\(what()) does not inflate to its stated \(count) bytes"
                                         + " (zlib status \(status), \(produced) bytes out, \(remaining) stream bytes left)")
            }
        } else {
            guard produced == count, status == Z_OK || status == Z_BUF_ERROR || status == Z_STREAM_END else {
                throw StoreError.corrupt("\(what()) does not inflate to its first \(count) bytes (zlib status \(status), \(produced) bytes out)")
            }
        }
        return output
    }
}
