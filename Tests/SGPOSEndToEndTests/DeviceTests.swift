import Foundation
import Testing

/// The real libusb code against an emulated Epson TM-T88 (umockdev): the ioctl script
/// answers status queries and accepts exactly the expected bulk OUT bytes, so a wrong
/// byte, an extra print or a missing one fails the run.
@Suite(.serialized) struct DeviceTests {
    let device = CLI.packageRoot + "/Tests/Fixtures/usb/epson-tm-t88.umockdev"

    /// The bytes print-test sends, from the same code with a file transport.
    func receiptBytes(kick: Bool = false) throws -> [UInt8] {
        let scratch = Scratch()
        let result = try CLI.run(["device", "print-test", "--transport", "file:\(scratch.path)/out.bin", "--queue", scratch.path + "/q"]
                                 + (kick ? ["--kick"] : []))
        #expect(result.status == 0, "\(result.error)")
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/out.bin")))
    }

    /// An ioctl script: one paper-status exchange (reply byte), then the receipts expected.
    func script(paper: UInt8, receipts: [[UInt8]]) -> String {
        var text = "@DEV /dev/bus/usb/001/002 (usbdevfs)\n"
        text += "USBDEVFS_REAPURBNDELAY 0 3 1 0 0 3 3 0 100404\n"
        text += " USBDEVFS_REAPURBNDELAY 0 3 130 0 0 64 1 0 \(String(format: "%02x", paper))\n"
        for bytes in receipts {
            text += "USBDEVFS_REAPURBNDELAY 0 3 1 0 0 \(bytes.count) \(bytes.count) 0 \(bytes.map { String(format: "%02x", $0) }.joined())\n"
        }
        return text
    }

    func underUmockdev(_ ioctl: String?, _ arguments: [String], in scratch: Scratch) throws -> CLI.Result {
        var wrapper = ["umockdev-run"]
        if ioctl == "" {
            wrapper += ["--device", device]
        } else if let ioctl {
            let path = scratch.path + "/\(UUID().uuidString).ioctl"
            try ioctl.write(toFile: path, atomically: true, encoding: .utf8)
            wrapper += ["--device", device, "--ioctl", "/dev/bus/usb/001/002=\(path)"]
        }
        return try CLI.run(arguments, wrapper: wrapper + ["--"])
    }

    @Test func listsTheEmulatedPrinter() throws {
        let scratch = Scratch()
        let result = try underUmockdev("", ["device", "list"], in: scratch)
        #expect(result.output.contains("04b8:0202  printer — Epson TM-T88"), "\(result.output)\(result.error)")
    }

    @Test func printsWithStatusAndTheExactBytes() throws {
        let scratch = Scratch()
        let receipt = try receiptBytes()
        let good = try underUmockdev(script(paper: 0x12, receipts: [receipt]), ["device", "print-test", "--queue", scratch.path + "/q"], in: scratch)
        #expect(good.status == 0 && good.output.contains("printed 1 receipt(s)"), "\(good.output)\(good.error)")
        // The emulated printer refuses bytes it does not expect: the check is real.
        var wrong = receipt
        wrong[wrong.count / 2] ^= 0x20
        let refused = try underUmockdev(script(paper: 0x12, receipts: [wrong]), ["device", "print-test", "--queue", scratch.path + "/q2"], in: scratch)
        #expect(refused.status == 3, "\(refused.output)")
    }

    @Test func paperOutQueuesTheReceiptAndItPrintsExactlyOnceAfterwards() throws {
        let scratch = Scratch()
        let queue = scratch.path + "/q"
        let receipt = try receiptBytes()
        let out = try underUmockdev(script(paper: 0x72, receipts: []), ["device", "print-test", "--queue", queue], in: scratch)
        #expect(out.status == 3 && out.output.contains("out of paper") && out.output.contains("1 receipt(s) wait"), "\(out.output)\(out.error)")
        let back = try underUmockdev(script(paper: 0x12, receipts: [receipt]), ["device", "print-test", "--drain-only", "--queue", queue], in: scratch)
        #expect(back.status == 0 && back.output.contains("printed 1 receipt(s)"), "\(back.output)\(back.error)")
        // Nothing is left to print: a third run sends no receipt (any OUT would fail the script).
        let idle = try underUmockdev(script(paper: 0x12, receipts: []), ["device", "print-test", "--drain-only", "--queue", queue], in: scratch)
        #expect(idle.status == 0 && idle.output.contains("printed 0 receipt(s)"), "\(idle.output)\(idle.error)")
    }

    @Test func unpluggedThenPluggedIn() throws {
        let scratch = Scratch()
        let queue = scratch.path + "/q"
        let gone = try underUmockdev(nil, ["device", "print-test", "--queue", queue], in: scratch)
        #expect(gone.status == 3 && gone.output.contains("no USB receipt printer"), "\(gone.output)\(gone.error)")
        let back = try underUmockdev(script(paper: 0x12, receipts: [try receiptBytes()]), ["device", "print-test", "--drain-only", "--queue", queue], in: scratch)
        #expect(back.status == 0 && back.output.contains("printed 1 receipt(s)"), "\(back.output)\(back.error)")
    }

    @Test func theDrawerKickGoesThroughThePrinter() throws {
        let scratch = Scratch()
        let receipt = try receiptBytes(kick: true)
        #expect(Array(receipt.suffix(5)) == [0x1B, 0x70, 0x00, 0x32, 0x32])
        let result = try underUmockdev(script(paper: 0x12, receipts: [receipt]), ["device", "print-test", "--kick", "--queue", scratch.path + "/q"], in: scratch)
        #expect(result.status == 0, "\(result.output)\(result.error)")
    }

    @Test func anEmulatedUSBScannerDeliversASequenceOfScans() throws {
        let scratch = Scratch()
        let usage: [Character: UInt8] = ["0": 0x27, "1": 0x1E, "2": 0x1F, "3": 0x20, "4": 0x21, "5": 0x22, "6": 0x23, "7": 0x24, "8": 0x25, "9": 0x26]
        var lines = ["@DEV /dev/bus/usb/001/003 (usbdevfs)"]
        func report(_ key: UInt8, shift: Bool = false) -> String {
            "USBDEVFS_REAPURBNDELAY 0 1 129 0 0 8 8 0 " + String(format: "%02x00%02x0000000000", shift ? 2 : 0, key)
        }
        for code in ["4006381333931", "036000291452", "4006381333932"] {
            for character in code {
                lines.append(report(usage[character]!))
                lines.append(report(0))
            }
            lines.append(report(0x28))
            lines.append(report(0))
        }
        let path = scratch.path + "/scan.ioctl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["device", "scan", "--usb", "--count", "3", "--idle-ms", "500"], wrapper: [
            "umockdev-run", "--device", CLI.packageRoot + "/Tests/Fixtures/usb/scanner-hid-keyboard.umockdev",
            "--ioctl", "/dev/bus/usb/001/003=\(path)", "--"])
        #expect(result.output == "scan 4006381333931 (check digit ok)\nscan 036000291452 (check digit ok)\nscan 4006381333932 (CHECK DIGIT WRONG)\n",
                "\(result.output)\(result.error)")
    }

    @Test func scannerReportsDecodeFromTheCommandLine() throws {
        let reports = """
            0000210000000000
            0000000000000000
            0000270000000000
            0000000000000000
            0000280000000000
            """
        let result = try CLI.run(["device", "scan"], input: reports)
        #expect(result.output.contains("scan 40"), "\(result.output)\(result.error)")
    }
}
