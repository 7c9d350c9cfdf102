/// The data bit stream of one segment (ISO/IEC 18004 7.4): mode indicator, character
/// count, data, terminator, padding to bytes and the pad codewords 0xEC 0x11.
enum QRDataEncoding {
    /// Alphanumeric when every byte is one of its 45 characters, byte mode otherwise.
    static func mode(for payload: [UInt8]) -> QRCode.Mode {
        payload.allSatisfy { QRTables.alphanumericValue($0) != nil } ? .alphanumeric : .byte
    }

    /// Bits of the segment's data alone (no header).
    static func dataBits(count: Int, mode: QRCode.Mode) -> Int {
        switch mode {
        case .alphanumeric: 11 * (count / 2) + 6 * (count % 2)
        case .byte: 8 * count
        }
    }

    /// The smallest version whose capacity at `correction` holds the segment, or nil.
    static func smallestVersion(count: Int, mode: QRCode.Mode, correction: QRCode.Correction) -> Int? {
        (1...40).first { version in
            let countBits = QRTables.characterCountBits(mode: mode, version: version)
            guard count < 1 << countBits else { return false }
            let needed = 4 + countBits + dataBits(count: count, mode: mode)
            return needed <= QRTables.dataCodewords(version: version, correction: correction) * 8
        }
    }

    /// The data codewords of `payload` in a symbol of `version` at `correction`.
    static func codewords(_ payload: [UInt8], mode: QRCode.Mode, version: Int, correction: QRCode.Correction) -> [UInt8] {
        var buffer = QRBitBuffer()
        switch mode {
        case .alphanumeric:
            buffer.append(0b0010, count: 4)
            buffer.append(payload.count, count: QRTables.characterCountBits(mode: mode, version: version))
            var index = 0
            while index + 1 < payload.count {
                let pair = QRTables.alphanumericValue(payload[index])! * 45 + QRTables.alphanumericValue(payload[index + 1])!
                buffer.append(pair, count: 11)
                index += 2
            }
            if index < payload.count {
                buffer.append(QRTables.alphanumericValue(payload[index])!, count: 6)
            }
        case .byte:
            buffer.append(0b0100, count: 4)
            buffer.append(payload.count, count: QRTables.characterCountBits(mode: mode, version: version))
            for byte in payload { buffer.append(Int(byte), count: 8) }
        }
        let capacity = QRTables.dataCodewords(version: version, correction: correction) * 8
        precondition(buffer.count <= capacity, "segment does not fit the version")
        buffer.append(0, count: min(4, capacity - buffer.count))  // terminator
        buffer.append(0, count: (8 - buffer.count % 8) % 8)
        var pad = 0xEC
        while buffer.count < capacity {
            buffer.append(pad, count: 8)
            pad ^= 0xEC ^ 0x11
        }
        return buffer.bytes
    }
}
