import Foundation
import Logging
import SGPOSDevices
import SGPOSTill
import Synchronization

/// The outlet's receipt printer as the node drives it (``NodeConfig/printer``): receipts
/// are rendered as ESC/POS into a durable ``ReceiptQueue`` under the data directory
/// (`receipt-queue/`), so an acknowledged print request survives a crash, and one thread of
/// its own prints them in order (a printer's I/O blocks; it never runs on the server's
/// event loops). A printer that is off, out of paper or unplugged keeps the jobs queued;
/// the thread tries again every 2 s. A job whose first attempt was not confirmed prints as
/// its COPY (``ReceiptQueue/drain(to:)``).
final class ReceiptPrinting: Sendable {
    let queue: ReceiptQueue
    let printer: ReceiptPrinter
    private let logger: Logger
    private let wake = DispatchSemaphore(value: 0)
    private let lastError = Mutex<String?>(nil)

    init(settings: PrinterSettings, dataDirectory: String, logger: Logger) throws {
        queue = try ReceiptQueue(directory: dataDirectory + "/receipt-queue")
        printer = ReceiptPrinter(transport: try PrinterTarget.transport(settings.target), profile: try PrinterProfile.named(settings.profile))
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = "receipt-printer"
        thread.start()
    }

    /// Queues `document` (original and copy) under `id`; a second request for the same id
    /// while the first waits keeps one job. Returns the jobs waiting, this one included.
    func enqueue(_ document: ReceiptDocument, id: String) throws -> Int {
        try queue.enqueue(id, original: ReceiptEscPos.encode(document, profile: printer.profile),
                          copy: ReceiptEscPos.encode(document, profile: printer.profile, copy: true))
        let waiting = try queue.pending().count
        wake.signal()
        return waiting
    }

    /// Why the last attempt to print failed, while jobs wait; nil once the queue drained.
    var problem: String? { lastError.withLock { $0 } }

    private func run() {
        while true {
            _ = wake.wait(timeout: .now() + .seconds(2))
            do {
                guard try !queue.pending().isEmpty else { continue }
                let printed = try queue.drain(to: printer)
                lastError.withLock { $0 = nil }
                logger.debug("printed \(printed) receipt(s)")
            } catch {
                let message = "\(error)"
                let changed = lastError.withLock { last -> Bool in
                    defer { last = message }
                    return last != message
                }
                if changed { logger.warning("receipt printer \(printer.profile.name): \(message); receipts stay queued") }
            }
        }
    }
}
