import Foundation
@testable import SGPOSQR
import SGPOSRetail
import Testing

/// Every payload shape the product puts in a QR code, rendered to an image and decoded
/// by an independent decoder: `zbarimg` from Debian's zbar-tools (scripts/bootstrap).
@Suite struct QRZbarTests {
    /// Deterministic hex digits (a linear congruential generator), `count` characters.
    static func hex(_ count: Int, seed: UInt64) -> String {
        var state = seed
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return digits[Int(state >> 60)]
        })
    }

    static let receipt = "sgpos:1/\(hex(64, seed: 1))/outlet-3/1048576/\(hex(64, seed: 2))/\(hex(128, seed: 3))"
    static let pairing = "sgpos-pair:1/\(hex(64, seed: 4))/Till 2, Tampines Mall"
    static let longText: String = {
        var text = "sgpos:receipt-bundle:"
        var line = 0
        while text.utf8.count < 1_000 {
            text += "line \(line): SKU-\(hex(6, seed: UInt64(line))) x\(line % 5 + 1) @ S$\(line + 1).\(10 + line % 90);"
            line += 1
        }
        return text
    }()

    static func payNow() throws -> String {
        try PayNowPayload(proxy: .uen("201403121W"), amount: try Money(decimal: "48.90"),
                          merchantName: "SGPOS MART TAMPINES", reference: "T2-000123", expiry: "20261231").payload
    }

    static let shapes: [(name: String, text: String)] = [
        ("receipt verification", receipt),
        ("pairing", pairing),
        ("short URL", "https://sgpos.example/r/7f3a9c21"),
        ("short uppercase URL", "HTTPS://SGPOS.SG/R/7F3A9C21"),
        ("alphanumeric only", "SGPOS RECEIPT 0001/OUTLET-3 TOTAL $48.90 GST 9% PAID:CASH"),
        ("UTF-8 text", "Kopi-O kosong ×2 — 咖啡 S$3.60, café crème, 谢谢 🙏"),
        ("long ~1,000 bytes", longText),
    ]

    @Test func receiptPayloadIsAbout280Bytes() {
        #expect((270...290).contains(Self.receipt.utf8.count), "\(Self.receipt.utf8.count)")
        #expect(Self.longText.utf8.count >= 1_000)
    }

    @Test func everyPayloadShapeDecodes() throws {
        var shapes = Self.shapes
        shapes.append(("PayNow", try Self.payNow()))
        for (name, text) in shapes {
            let code = try QRCode(encoding: text, correction: .medium)
            #expect(try Zbar.decode(code) == text, "\(name), version \(code.version), mask \(code.mask)")
        }
    }

    @Test(arguments: QRCode.Correction.allCases)
    func everyLevelDecodes(_ correction: QRCode.Correction) throws {
        for text in [Self.receipt, try Self.payNow(), "HELLO WORLD"] {
            let code = try QRCode(encoding: text, correction: correction)
            #expect(try Zbar.decode(code) == text, "\(correction), version \(code.version)")
        }
    }

    @Test func everyMaskDecodes() throws {
        for mask in 0..<8 {
            for text in ["HELLO WORLD", Self.pairing] {
                let code = try QRCode(encoding: text, correction: .quartile, mask: mask)
                #expect(code.mask == mask)
                #expect(try Zbar.decode(code) == text, "mask \(mask)")
            }
        }
    }

    /// Every version at every level, each filled to its byte-mode capacity: the block
    /// tables, alignment patterns and version information of all 160 symbols.
    @Test(arguments: QRCode.Correction.allCases)
    func everyVersionAtFullCapacityDecodes(_ correction: QRCode.Correction) throws {
        var previous = 0
        for version in 1...40 {
            // The largest byte payload of this version (the encoder's own sizing; zbar
            // then checks the symbol really is that version's layout and blocks).
            var length = previous
            while let next = QRDataEncoding.smallestVersion(count: length + 1, mode: .byte, correction: correction),
                  next <= version {
                length += 1
            }
            previous = length
            let text = "x" + Self.hex(length - 1, seed: UInt64(version))
            let code = try QRCode(encoding: text, correction: correction)
            #expect(code.version == version)
            #expect(try Zbar.decode(code) == text, "\(correction) version \(version), \(length) bytes")
        }
    }
}

/// Renders a symbol to a binary PGM (P5) and reads it back with `zbarimg`.
enum Zbar {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "zbarimg not found on PATH: run scripts/bootstrap as root (it installs zbar-tools); `make test` does"
        }
    }

    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/zbarimg"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing()
    }

    /// 4 pixels per module, a quiet zone of 4 modules; 0 is black, 255 white.
    static func pgm(_ code: QRCode, scale: Int = 4, quietZone: Int = 4) -> [UInt8] {
        let side = (code.size + 2 * quietZone) * scale
        var image = Array("P5\n\(side) \(side)\n255\n".utf8)
        image.reserveCapacity(image.count + side * side)
        for py in 0..<side {
            let y = py / scale - quietZone
            for px in 0..<side {
                image.append(code.module(px / scale - quietZone, y) ? 0 : 255)
            }
        }
        return image
    }

    /// The text zbarimg decodes from the symbol, its trailing newline removed.
    static func decode(_ code: QRCode) throws -> String {
        let zbarimg = try executable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sgpos-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("code.pgm")
        try Data(pgm(code)).write(to: file)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        process.arguments = ["--raw", "-q", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
