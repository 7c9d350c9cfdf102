import Foundation
import SGPOSDevices
import SGPOSTill
import Testing

@Suite("ESC/POS")
struct EscPosTests {
    func bytes(_ commands: [EscPosEncoder.Command]) -> [UInt8] {
        var encoder = EscPosEncoder()
        commands.forEach { encoder.apply($0) }
        return encoder.bytes
    }

    func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map {
            UInt8(text[text.index(text.startIndex, offsetBy: $0)..<text.index(text.startIndex, offsetBy: $0 + 2)], radix: 16)!
        }
    }

    /// Golden bytes from python-escpos 3.1 (reference/retail.md §5.1 and a Dummy printer run).
    @Test func commandsMatchPythonEscposGoldenBytes() {
        #expect(bytes([.initialize]) == [0x1B, 0x40])
        #expect(bytes([.set(align: .center, bold: true, size: .double)]) == hex("1b21001b21001b21301b45011b6101"))
        #expect(bytes([.set(align: .left, bold: nil, size: nil)]) == hex("1b6100"))
        #expect(bytes([.text("A"), .text("B\n")]) == hex("1b740041420a"))
        #expect(bytes([.text("é")]) == hex("1b740082"))
        #expect(bytes([.qr("HELLO", size: 4)]) == hex("1d286b0400314132001d286b03003143041d286b03003145301d286b080031503048454c4c4f1d286b0300315130"))
        #expect(bytes([.barcode128("1-till-01-1")]) == hex("1b61011d68401d77021d66001d48021d6b490d7b42312d74696c6c2d30312d31"))
        #expect(bytes([.cut(partial: false)]) == hex("1b64061d5600"))
        #expect(bytes([.cut(partial: true)]) == hex("1b64061d5601"))
        #expect(bytes([.cashDrawer(pin: 2)]) == hex("1b70003232"))
        #expect(bytes([.cashDrawer(pin: 5)]) == hex("1b70013232"))
        #expect(EscPosEncoder.statusQuery(4) == [0x10, 0x04, 0x04])
    }

    @Test(arguments: PrinterProfile.all)
    func aReceiptRendersBackToTheSameTextQRAndTotals(profile: PrinterProfile) {
        let receipt = ReferenceReceipt.make()
        let encoded = ReceiptEscPos.encode(receipt, profile: profile, kickDrawer: true)
        let columns = profile.columns <= 44 ? 42 : 48
        let preview = EscPosRenderer(columns: columns).render(encoded)
        let expected = ReceiptTextRenderer(columns: columns).render(receipt).prefix { !$0.hasPrefix("sgpos:1/") }
        for line in expected.dropFirst() { #expect(preview.lines.contains(line), "\(profile.name): missing \(line)") }
        #expect(preview.qrPayloads == (profile.nativeQR ? [receipt.qr.description] : []))
        #expect(ReceiptQRPayload(text: preview.qrPayloads.first ?? receipt.qr.description) == receipt.qr)
        #expect(preview.barcodes == [receipt.number])
        #expect(preview.text.contains("TOTAL") && preview.text.contains("19.95") && preview.text.contains("GST 9% included"))
        #expect(preview.cuts == 1 && preview.drawerKicks == 1)
        let copy = EscPosRenderer(columns: columns).render(ReceiptEscPos.encode(receipt, profile: profile, copy: true))
        #expect(copy.text.contains("*** COPY - REPRINT ***") && copy.drawerKicks == 0, "reprints are marked and open no drawer")
    }

    @Test func theRendererShowsUnknownBytesInsteadOfHidingThem() {
        let preview = EscPosRenderer().render([0x41, 0x07, 0x1B, 0x99, 0x0A])
        #expect(preview.lines.contains("[07]") && preview.lines.contains("[ESC 99]"))
    }

    /// The whole reference receipt's bytes equal python-escpos's for the same commands.
    @Test func theReferenceReceiptMatchesPythonEscposByteForByte() async throws {
        let receipt = ReferenceReceipt.make()
        let commands = ReceiptEscPos.commands(receipt, profile: .epsonTMT88, kickDrawer: true)
        let file = NSTemporaryDirectory() + "sgpos-escpos-\(UUID().uuidString).json"
        try JSONEncoder().encode(commands).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        process.arguments = [root + "/scripts/escpos-golden/run", file]
        // Output to a file, waited for by suspending: installing python-escpos can take most
        // of a minute, and a blocked thread would stall the other async tests meanwhile.
        let outputFile = file + ".out"
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputFile) }
        process.standardOutput = FileHandle(forWritingAtPath: outputFile)
        try process.run()
        for _ in 0..<30_000 where process.isRunning { try await Task.sleep(nanoseconds: 20_000_000) }
        process.waitUntilExit()
        let output = String(decoding: FileManager.default.contents(atPath: outputFile) ?? Data(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "python-escpos could not be installed or run")
        var encoder = EscPosEncoder()
        commands.forEach { encoder.apply($0) }
        let python = output.split(separator: "\n").last.map(String.init) ?? ""  // python-escpos logs a line first
        #expect(python == encoder.bytes.map { String(format: "%02x", $0) }.joined())
    }
}

@Suite("Printer status and queue")
struct PrinterQueueTests {
    @Test func statusBytesDecode() {
        #expect(PrinterStatus(printer: 0x16, offlineCause: 0x12, paper: 0x12)?.ready == true)
        #expect(PrinterStatus(printer: nil, offlineCause: nil, paper: 0x72)?.paperOut == true)
        #expect(PrinterStatus(printer: nil, offlineCause: nil, paper: 0x1E)?.paperNearEnd == true)
        #expect(PrinterStatus(printer: 0x1E, offlineCause: 0x16, paper: nil)?.coverOpen == true)
        #expect(PrinterStatus(printer: 0x1E, offlineCause: nil, paper: nil)?.online == false)
        #expect(PrinterStatus(printer: nil, offlineCause: nil, paper: 0x00) == nil, "not a status byte")
    }

    @Test func aReceiptWaitsForPaperAndPrintsExactlyOnceWhenItIsBack() throws {
        let directory = NSTemporaryDirectory() + "sgpos-queue-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let queue = try ReceiptQueue(directory: directory)
        let printer = MemoryPrinter()
        let receipt = ReferenceReceipt.make()
        let original = ReceiptEscPos.encode(receipt, profile: .epsonTMT88)
        let copy = ReceiptEscPos.encode(receipt, profile: .epsonTMT88, copy: true)
        try queue.enqueue("sale-1", original: original, copy: copy)
        try queue.enqueue("sale-1", original: original, copy: copy)
        #expect(try queue.pending().count == 1, "one job per sale")
        printer.paperStatus = 0x72  // paper end
        let device = ReceiptPrinter(transport: printer, profile: .epsonTMT88)
        #expect(throws: DeviceError.self) { try queue.drain(to: device) }
        let waiting = try queue.pending().count
        #expect(printer.output.isEmpty && waiting == 1, "nothing printed, nothing lost")
        // A new queue on the same directory (the till restarted) still has the job.
        let reopened = try ReceiptQueue(directory: directory)
        printer.paperStatus = 0x12
        #expect(try reopened.drain(to: device) == 1)
        #expect(printer.output == original, "printed once, as the original")
        let again = try reopened.drain(to: device)
        #expect(again == 0 && printer.output == original, "never twice")
    }

    @Test func aPrintThatMayHaveFailedHalfwayIsReprintedAsACopy() throws {
        let directory = NSTemporaryDirectory() + "sgpos-queue-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let queue = try ReceiptQueue(directory: directory)
        let printer = MemoryPrinter()
        let receipt = ReferenceReceipt.make()
        try queue.enqueue("sale-2", original: ReceiptEscPos.encode(receipt, profile: .epsonTMT20),
                          copy: ReceiptEscPos.encode(receipt, profile: .epsonTMT20, copy: true))
        let device = ReceiptPrinter(transport: printer, profile: .epsonTMT20)
        printer.failWrites = true  // unplugged mid-job
        #expect(throws: DeviceError.self) { try queue.drain(to: device) }
        printer.failWrites = false  // replugged
        #expect(try queue.drain(to: device) == 1)
        #expect(EscPosRenderer(columns: 48).render(printer.output).text.contains("*** COPY - REPRINT ***"))
    }
}

@Suite("Barcode scanners")
struct ScannerTests {
    @Test func hidKeyboardReportsDecodeToCodes() {
        // reference/retail.md §5: EAN 4006381333931⏎ → usages 21 27 27 23 20 25 1E 20 20 20 26 20 1E 28.
        let usages: [UInt8] = [0x21, 0x27, 0x27, 0x23, 0x20, 0x25, 0x1E, 0x20, 0x20, 0x20, 0x26, 0x20, 0x1E, 0x28]
        var decoder = HIDKeyboardDecoder()
        var scans: [Scan] = []
        for usage in usages {
            if let scan = decoder.feed([0, 0, usage, 0, 0, 0, 0, 0]) { scans.append(scan) }
            if let scan = decoder.feed([0, 0, 0, 0, 0, 0, 0, 0]) { scans.append(scan) }
        }
        #expect(scans == [Scan(code: "4006381333931")])
        #expect(scans[0].checkDigitValid == true)
        // Shifted characters, Tab terminator, a sequence of scans, held keys not repeated.
        var other = HIDKeyboardDecoder()
        var codes: [String] = []
        for report in hidKeyboardReports(for: "AB-12") + hidKeyboardReports(for: "036000291452") {
            if let scan = other.feed(report) { codes.append(scan.code) }
        }
        #expect(codes == ["AB-12", "036000291452"])
        #expect(other.feed([0, 0, 0x1E, 0, 0, 0, 0, 0]) == nil && other.feed([0, 0, 0x1E, 0, 0, 0, 0, 0]) == nil)
        #expect(other.feed([0, 0, 0x2B, 0, 0, 0, 0, 0])?.code == "1", "a held key counts once; Tab ends the code")
    }

    @Test func hidPOSReportsCarryTheSymbology() {
        var decoder = HIDPOSDecoder()
        let data = Array("]E04006381333931".utf8)
        #expect(decoder.feed([0x02, UInt8(data.count)] + data + [0x00]) == Scan(code: "4006381333931", symbology: "]E0"))
        let first = Array("]C0ABC".utf8), second = Array("DEF".utf8)
        #expect(decoder.feed([0x02, UInt8(first.count)] + first + [0x01]) == nil)
        #expect(decoder.feed([0x02, UInt8(second.count)] + second + [0x00])?.code == "ABCDEF")
    }

    @Test func gtinCheckDigits() {
        #expect(GTIN.isValid("4006381333931") && GTIN.isValid("036000291452") && GTIN.isValid("96385074"))
        #expect(!GTIN.isValid("4006381333932") && !GTIN.isValid("40063813339X1"))
        #expect(GTIN.checkDigit(of: "400638133393") == 1)
        #expect(Scan(code: "4006381333932").checkDigitValid == false)
    }
}
