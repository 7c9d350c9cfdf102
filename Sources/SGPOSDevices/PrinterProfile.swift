/// What a printer model can do: paper width in characters, cutter, QR support, USB ids.
/// From escpos-printer-db / python-escpos capabilities and the vendors' manuals.
public struct PrinterProfile: Sendable, Hashable {
    public let name: String
    /// Characters per line in font A on 80 mm paper.
    public let columns: Int
    public let hasCutter: Bool
    public let partialCut: Bool
    public let nativeQR: Bool
    public let vendorID: UInt16
    public let productIDs: [UInt16]

    public static let epsonTMT88 = PrinterProfile(name: "Epson TM-T88", columns: 42, hasCutter: true, partialCut: true,
                                                  nativeQR: true, vendorID: 0x04B8, productIDs: [0x0202])
    public static let epsonTMT20 = PrinterProfile(name: "Epson TM-T20", columns: 48, hasCutter: true, partialCut: true,
                                                  nativeQR: true, vendorID: 0x04B8, productIDs: [0x0E03, 0x0E15, 0x0E28])
    /// Star TSP100 in its ESC/POS emulation mode (set with Star's configuration utility).
    public static let starTSP100 = PrinterProfile(name: "Star TSP100", columns: 48, hasCutter: true, partialCut: true,
                                                  nativeQR: true, vendorID: 0x0519, productIDs: [0x0003])
    public static let bixolonSRP350 = PrinterProfile(name: "Bixolon SRP-350", columns: 42, hasCutter: true, partialCut: true,
                                                     nativeQR: false, vendorID: 0x1504, productIDs: [0x001F, 0x0006])

    public static let all = [epsonTMT88, epsonTMT20, starTSP100, bixolonSRP350]

    /// The profile for a USB vendor/product, if known.
    public static func matching(vendor: UInt16, product: UInt16) -> PrinterProfile? {
        all.first { $0.vendorID == vendor && $0.productIDs.contains(product) }
    }
}
