import ArgumentParser
import Foundation
import SGPOSCommandSupport
import SGPOSCodec
import SGPOSDevices
import SGPOSTill

/// `sgpos device`: receipt printers, cash drawers and scanners.
struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device", abstract: "Receipt printers, cash drawers and barcode scanners.",
        subcommands: [List.self, PrintTest.self, Render.self, Scan.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List USB devices (printers and HID scanners marked).")
        func run() throws {
            let devices = try USB.list()
            if devices.isEmpty { print("no USB devices") }
            devices.forEach { print($0) }
        }
    }

    struct PrintTest: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "print-test",
            abstract: "Queue the reference receipt (durably) and print every queued receipt the printer can take now.",
            discussion: "Exit 0 when the queue is empty afterwards; 3 when receipts wait for the printer (paper, cover, unplugged).")
        @Option(help: "usb | tcp:HOST:PORT | file:PATH") var transport: String = "usb"
        @Option(help: "Printer profile: tm-t88, tm-t20, tsp100, srp-350.") var profile: String = "tm-t88"
        @Option(help: "Receipt queue directory (durable).") var queue: String = "receipt-queue"
        @Flag(help: "Kick the cash drawer after the receipt.") var kick = false
        @Flag(help: "Print only what is queued; add nothing.") var drainOnly = false

        func run() throws {
            let profile = try profileNamed(self.profile)
            let printer = ReceiptPrinter(transport: try makeTransport(transport), profile: profile)
            let queue = try ReceiptQueue(directory: self.queue)
            if !drainOnly {
                let receipt = ReferenceReceipt.make()
                try queue.enqueue(receipt.qr.transactionID.hex,
                                  original: ReceiptEscPos.encode(receipt, profile: profile, kickDrawer: kick),
                                  copy: ReceiptEscPos.encode(receipt, profile: profile, copy: true, kickDrawer: false))
            }
            do {
                let printed = try queue.drain(to: printer)
                print("printed \(printed) receipt(s); queue empty")
            } catch let error as DeviceError {
                print("printer not available (\(error)); \(try queue.pending().count) receipt(s) wait in \(self.queue)")
                throw ExitCode(3)
            }
        }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what an ESC/POS byte stream prints (text, QR payloads, barcodes, cuts).")
        @Argument(help: "File with ESC/POS bytes (e.g. from print-test --transport file:PATH).") var file: String
        @Option(help: "Paper width in characters.") var columns: Int = 42

        func run() throws {
            let bytes = [UInt8](try readFile(file, what: "ESC/POS stream"))
            let preview = EscPosRenderer(columns: columns).render(bytes)
            let rule = "+" + String(repeating: "-", count: columns) + "+"
            print(rule)
            for line in preview.lines {
                print("|" + (line.count > columns ? line : line.padding(toLength: columns, withPad: " ", startingAt: 0)) + "|")
            }
            print(rule)
        }
    }

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode scanner reports: HID boot-keyboard (8-byte) or HID POS reports, one hex report per line.")
        @Argument(help: "File of hex reports (- for standard input).") var file: String = "-"
        @Flag(help: "Reports are HID POS (usage page 0x8C), not keyboard.") var hidPOS = false
        @Flag(help: "Read a USB scanner (HID boot keyboard) with libusb instead of a file.") var usb = false
        @Option(help: "With --usb: stop after this many scans.") var count: Int = 100
        @Option(help: "With --usb: stop after this many milliseconds without a report.") var idleMs: UInt32 = 2_000

        func run() throws {
            if usb {
                try USBScanner().read(scansMax: count, idleTimeoutMs: idleMs) { scan in
                    let check = scan.checkDigitValid.map { $0 ? " (check digit ok)" : " (CHECK DIGIT WRONG)" } ?? ""
                    print("scan \(scan.code)" + check)
                }
                return
            }
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try readFile(file, what: "reports")
            var keyboard = HIDKeyboardDecoder()
            var pos = HIDPOSDecoder()
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let hex = line.filter { !$0.isWhitespace }
                guard let report = hexBytes(String(hex)) else { throw CLIError("not a hex report: \(line)") }
                guard let scan = hidPOS ? pos.feed(report) : keyboard.feed(report) else { continue }
                let check = scan.checkDigitValid.map { $0 ? " (check digit ok)" : " (CHECK DIGIT WRONG)" } ?? ""
                print("scan \(scan.code)" + (scan.symbology.map { " \($0)" } ?? "") + check)
            }
        }
    }
}

func profileNamed(_ name: String) throws -> PrinterProfile {
    do { return try PrinterProfile.named(name) } catch { throw CLIError("--profile: \(error.message)") }
}

func makeTransport(_ text: String) throws -> any PrinterTransport {
    do { return try PrinterTarget.transport(text) } catch { throw CLIError("--transport: \(error.message)") }
}

func hexBytes(_ text: String) -> [UInt8]? {
    let characters = Array(text.utf8)
    guard characters.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    for index in stride(from: 0, to: characters.count, by: 2) {
        guard let byte = UInt8(String(decoding: characters[index..<(index + 2)], as: UTF8.self), radix: 16) else { return nil }
        bytes.append(byte)
    }
    return bytes
}
