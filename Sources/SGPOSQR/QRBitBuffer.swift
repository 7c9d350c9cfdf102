/// A growing sequence of bits, most significant first: the data bit stream of a symbol.
struct QRBitBuffer: Sendable {
    private(set) var bits: [Bool] = []

    var count: Int { bits.count }

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func append(_ value: Int, count: Int) {
        precondition(count >= 0 && count <= 31 && value >> count == 0, "value does not fit in \(count) bits")
        for shift in stride(from: count - 1, through: 0, by: -1) {
            bits.append((value >> shift) & 1 == 1)
        }
    }

    /// The bits packed into bytes, most significant bit first; the count must be a multiple of 8.
    var bytes: [UInt8] {
        precondition(bits.count % 8 == 0, "bit stream not byte aligned")
        var result = [UInt8](repeating: 0, count: bits.count / 8)
        for (index, bit) in bits.enumerated() where bit {
            result[index >> 3] |= 0x80 >> UInt8(index & 7)
        }
        return result
    }
}
