import Foundation
@testable import SGPOSQR
import Testing

/// Published vectors: the "HELLO WORLD" worked example (thonky.com QR tutorial, Nayuki's
/// step-by-step page), ISO/IEC 18004's format and version information tables and its
/// capacity table.
@Suite struct QRKnownAnswerTests {
    @Test func helloWorldDataAndErrorCorrectionCodewords() {
        let payload = Array("HELLO WORLD".utf8)
        #expect(QRDataEncoding.mode(for: payload) == .alphanumeric)
        let medium = QRDataEncoding.codewords(payload, mode: .alphanumeric, version: 1, correction: .medium)
        #expect(medium == [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17])
        #expect(ReedSolomon.remainder(of: medium, generator: ReedSolomon.generator(degree: 10))
            == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
        let quartile = QRDataEncoding.codewords(payload, mode: .alphanumeric, version: 1, correction: .quartile)
        #expect(quartile == [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236])
        #expect(QRBlocks.interleave(data: quartile, version: 1, correction: .quartile)
            == quartile + [168, 72, 22, 82, 217, 54, 156, 0, 46, 15, 180, 122, 16])
        // The standard's own example: "01234567" at 1-M (numeric data codewords).
        let numeric: [UInt8] = [16, 32, 12, 86, 97, 128, 236, 17, 236, 17, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.remainder(of: numeric, generator: ReedSolomon.generator(degree: 10))
            == [165, 36, 212, 193, 237, 54, 199, 135, 44, 85])
    }

    @Test func helloWorldAtQuartileIsVersion1AndReadsBack() throws {
        let code = try QRCode(encoding: "HELLO WORLD", correction: .quartile)
        #expect(code.version == 1 && code.size == 21 && code.mode == .alphanumeric)
        // Finder patterns in the three corners.
        for (cx, cy) in [(3, 3), (17, 3), (3, 17)] {
            for d in -3...3 {
                #expect(code.module(cx + d, cy - 3) && code.module(cx + d, cy + 3))
                #expect(code.module(cx - 3, cy + d) && code.module(cx + 3, cy + d))
            }
            #expect(!code.module(cx - 2, cy) && code.module(cx, cy))
        }
        // Both copies of the format information carry the chosen mask.
        let bits = QRFormat.formatBits(correction: .quartile, mask: code.mask)
        var first = 0, second = 0
        let firstCopy = [(8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8), (7, 8), (5, 8), (4, 8), (3, 8), (2, 8), (1, 8), (0, 8)]
        for (i, (x, y)) in firstCopy.enumerated() where code.module(x, y) { first |= 1 << i }
        for i in 0..<8 where code.module(20 - i, 8) { second |= 1 << i }
        for i in 8..<15 where code.module(8, 21 - 15 + i) { second |= 1 << i }
        #expect(first == bits && second == bits)
        #expect(code.module(8, 13))  // the dark module
        // Unmasked and read in placement order, the modules are the 26 codewords of the example.
        #expect(Self.readCodewords(code) == [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236,
                                             168, 72, 22, 82, 217, 54, 156, 0, 46, 15, 180, 122, 16])
    }

    /// Reads a version-1 symbol's 26 codewords back, as a decoder does.
    static func readCodewords(_ code: QRCode) -> [UInt8] {
        let reference = QRMatrix(version: code.version)
        var bits = [Bool]()
        var right = code.size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for vertical in 0..<code.size {
                let y = upward ? code.size - 1 - vertical : vertical
                for x in [right, right - 1] where !reference.isFunction[y * code.size + x] {
                    bits.append(code.module(x, y) != QRMasks.inverts(mask: code.mask, x: x, y: y))
                }
            }
            right -= 2
        }
        return stride(from: 0, to: bits.count - 7, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[start + $1] ? 1 : 0) }
        }
    }

    @Test func formatInformationMatchesTheStandardTable() {
        let medium = ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
                      "100010111111001", "100000011001110", "100111110010111", "100101010100000"]
        for (mask, text) in medium.enumerated() {
            #expect(QRFormat.formatBits(correction: .medium, mask: mask) == Int(text, radix: 2), "M mask \(mask)")
        }
        #expect(QRFormat.formatBits(correction: .low, mask: 0) == 0b111011111000100)
        #expect(QRFormat.formatBits(correction: .quartile, mask: 0) == 0b011010101011111)
        #expect(QRFormat.formatBits(correction: .high, mask: 0) == 0b001011010001001)
        #expect(QRFormat.formatBits(correction: .low, mask: 4) == 0b110011000101111)
    }

    @Test func versionInformationMatchesTheStandardTable() {
        #expect(QRFormat.versionBits(7) == 0b000111_110010010100)
        #expect(QRFormat.versionBits(8) == 0b001000_010110111100)
        #expect(QRFormat.versionBits(40) == 0b101000_110001101001)
    }

    @Test func alignmentPatternCentres() {
        #expect(QRTables.alignmentPositions(version: 1) == [])
        #expect(QRTables.alignmentPositions(version: 2) == [6, 18])
        #expect(QRTables.alignmentPositions(version: 7) == [6, 22, 38])
        #expect(QRTables.alignmentPositions(version: 22) == [6, 26, 50, 74, 98])
        #expect(QRTables.alignmentPositions(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRTables.alignmentPositions(version: 36) == [6, 24, 50, 76, 102, 128, 154])
        #expect(QRTables.alignmentPositions(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test func capacitiesMatchTheStandard() {
        // Data codewords (ISO/IEC 18004 table 7) at versions 1 and 40.
        #expect(Correction.allCases.map { QRTables.dataCodewords(version: 1, correction: $0) } == [19, 16, 13, 9])
        #expect(Correction.allCases.map { QRTables.dataCodewords(version: 40, correction: $0) } == [2956, 2334, 1666, 1276])
        #expect(QRTables.rawDataModules(version: 1) == 208 && QRTables.rawDataModules(version: 7) == 1568)
        // Every version and level leaves room for data.
        for version in 1...40 {
            for correction in Correction.allCases {
                #expect(QRTables.dataCodewords(version: version, correction: correction) > 0)
            }
        }
    }

    typealias Correction = QRCode.Correction

    @Test func theSmallestVersionIsChosen() throws {
        // Byte mode at M: versions 1–4 hold 14, 26, 42, 62 bytes; version 10 holds 213.
        for (capacity, version) in [(14, 1), (26, 2), (42, 3), (62, 4), (213, 10)] {
            let fits = try QRCode(encoding: [UInt8](repeating: 0x61, count: capacity), correction: .medium)
            let over = try QRCode(encoding: [UInt8](repeating: 0x61, count: capacity + 1), correction: .medium)
            #expect(fits.version == version && over.version == version + 1, "\(capacity) bytes")
        }
        // At Q, versions 1–10 hold 16, 29, 47, 67, 87, 108, 125, 157, 189, 221 alphanumeric
        // characters and 11, 20, 32, 46, 60, 74, 86, 108, 130, 151 bytes.
        let alphanumeric = [16, 29, 47, 67, 87, 108, 125, 157, 189, 221]
        let bytes = [11, 20, 32, 46, 60, 74, 86, 108, 130, 151]
        for version in 1...10 {
            let characters = alphanumeric[version - 1], count = bytes[version - 1]
            #expect(try QRCode(encoding: String(repeating: "A", count: characters), correction: .quartile).version == version)
            #expect(try QRCode(encoding: String(repeating: "A", count: characters + 1), correction: .quartile).version == version + 1)
            #expect(try QRCode(encoding: String(repeating: "a", count: count), correction: .quartile).version == version)
            #expect(try QRCode(encoding: String(repeating: "a", count: count + 1), correction: .quartile).version == version + 1)
        }
        // Version 40: 2953 bytes at L, 2331 at M, 1663 at Q, 1273 at H; 4296 alphanumeric at L.
        for (correction, capacity) in [(Correction.low, 2953), (.medium, 2331), (.quartile, 1663), (.high, 1273)] {
            #expect(try QRCode(encoding: [UInt8](repeating: 0x61, count: capacity), correction: correction).version == 40)
            #expect { try QRCode(encoding: [UInt8](repeating: 0x61, count: capacity + 1), correction: correction) } throws: {
                ($0 as? QRError)?.code == 1100
            }
        }
        #expect(try QRCode(encoding: String(repeating: "9", count: 4296), correction: .low).version == 40)
        #expect { try QRCode(encoding: "HELLO", mask: 8) } throws: { ($0 as? QRError)?.code == 1101 }
    }

    @Test func uppercasePayloadsMakeSmallerSymbols() throws {
        let upper = try QRCode(encoding: "HTTPS://SGPOS.SG/R/7F3A9C21B4D8E6F0", correction: .medium)
        let lower = try QRCode(encoding: "https://sgpos.sg/r/7f3a9c21b4d8e6f0", correction: .medium)
        #expect(upper.mode == .alphanumeric && lower.mode == .byte)
        #expect(upper.version < lower.version)
    }

    @Test func theSVGIsOnePathOverAWhiteSquare() throws {
        let code = try QRCode(encoding: "sgpos-pair:1/abc", correction: .medium)
        let svg = code.svg(moduleSize: 3, quietZone: 4)
        let side = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("width=\"\(side * 3)\" height=\"\(side * 3)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(svg.components(separatedBy: "<").count == svg.components(separatedBy: ">").count)
        // The path's rectangles cover exactly the dark modules.
        var dark = 0
        for y in 0..<code.size { for x in 0..<code.size where code.module(x, y) { dark += 1 } }
        let d = svg.components(separatedBy: " d=\"")[1].prefix { $0 != "\"" }
        let runs = d.split(separator: "h").dropFirst().compactMap { part -> Int? in
            part.hasPrefix("-") ? nil : Int(part.prefix { $0.isNumber })
        }
        #expect(runs.reduce(0, +) == dark)
        #expect(!code.module(-1, 0) && !code.module(0, code.size))
    }
}
