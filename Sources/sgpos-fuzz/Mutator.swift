/// Seeded byte-level mutations in the style of libFuzzer's: flip, set, insert, erase,
/// duplicate a range, overwrite with an interesting value. Deterministic for a seed.
enum Mutator {
    static let interesting: [[UInt8]] = [[0], [0xFF], [0x7F], [0x80], [0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF],
                                         [0, 0, 0x10, 0], [0x7F, 0xFF, 0xFF, 0xFF], [0x22], [0x7B], [0x5C]]

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...(random.next() % 4) {
            let position = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << (random.next() % 8))
            case 1 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: min(position, bytes.count))
            case 3 where !bytes.isEmpty: bytes.removeSubrange(position..<min(bytes.count, position + 1 + Int(random.next() % 8)))
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + 1 + Int(random.next() % 16))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default:
                let value = interesting[Int(random.next() % UInt64(interesting.count))]
                for (offset, byte) in value.enumerated() where position + offset < bytes.count { bytes[position + offset] = byte }
            }
        }
        return bytes.count > 1 << 20 ? Array(bytes.prefix(1 << 20)) : bytes
    }
}

/// SplitMix64: a small seeded generator.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
