// The tables of ISO/IEC 18004:2015 the encoder needs: error correction blocks
// (table 9), alignment pattern centres (annex E), the alphanumeric character set
// (table 5) and the character count indicator widths (table 3).

enum QRTables {
    /// Error correction codewords per block, by level (L, M, Q, H) and version (index 0 unused).
    static let eccCodewordsPerBlock: [[Int]] = [
        [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Number of error correction blocks, by level (L, M, Q, H) and version (index 0 unused).
    static let blockCount: [[Int]] = [
        [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Modules left for codewords (data and error correction, remainder bits included)
    /// once the function patterns and format and version information are placed.
    static func rawDataModules(version: Int) -> Int {
        var modules = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            modules -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { modules -= 36 }  // two 6×3 version information blocks
        }
        return modules
    }

    /// Data codewords a symbol of `version` holds at `correction`.
    static func dataCodewords(version: Int, correction: QRCode.Correction) -> Int {
        let level = correction.tableIndex
        return rawDataModules(version: version) / 8
            - eccCodewordsPerBlock[level][version] * blockCount[level][version]
    }

    /// Row and column centres of the alignment patterns of `version`, ascending.
    static func alignmentPositions(version: Int) -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var positions = [Int]()
        var position = version * 4 + 10  // size - 7
        for _ in 0..<(count - 1) {
            positions.insert(position, at: 0)
            position -= step
        }
        positions.insert(6, at: 0)
        return positions
    }

    /// The 45 characters of alphanumeric mode, each at its value.
    static let alphanumericCharacters: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    /// The alphanumeric value of `byte`, or nil when alphanumeric mode cannot carry it.
    static func alphanumericValue(_ byte: UInt8) -> Int? {
        alphanumericCharacters.firstIndex(of: byte)
    }

    /// Width of the character count indicator.
    static func characterCountBits(mode: QRCode.Mode, version: Int) -> Int {
        switch mode {
        case .alphanumeric: version <= 9 ? 9 : version <= 26 ? 11 : 13
        case .byte: version <= 9 ? 8 : 16
        }
    }
}
