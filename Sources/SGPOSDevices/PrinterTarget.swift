/// Where receipts go, as an operator writes it (the CLI's `--transport`, the node's
/// `printer.target`): `usb` or `usb:VVVV:PPPP` (hex vendor and product id), `tcp:HOST:PORT`
/// (a network printer's raw port, usually 9100) or `file:PATH` (bytes appended to a file).
public enum PrinterTarget {
    /// The transport `text` names; `invalidData` naming the accepted forms otherwise.
    public static func transport(_ text: String) throws(DeviceError) -> any PrinterTransport {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "usb" where parts.count == 1:
            return USBPrinterTransport()
        case "usb" where parts.count == 3:
            guard let vendor = UInt16(parts[1], radix: 16), let product = UInt16(parts[2], radix: 16) else { break }
            return USBPrinterTransport(vendorID: vendor, productID: product)
        case "file" where parts.count >= 2 && !parts[1].isEmpty:
            return FileTransport(path: parts.dropFirst().joined(separator: ":"))
        case "tcp" where parts.count == 3 && !parts[1].isEmpty:
            guard let port = UInt16(parts[2]), port > 0 else { break }
            return TCPTransport(host: parts[1], port: port)
        default:
            break
        }
        throw DeviceError.invalidData("printer target \"\(text)\" must be usb, usb:VVVV:PPPP (hex ids), tcp:HOST:PORT or file:PATH")
    }
}

extension PrinterProfile {
    /// Short names (`tm-t88`, `tm-t20`, `tsp100`, `srp-350`) and full names ("Epson TM-T88").
    public static let shortNames: [(name: String, profile: PrinterProfile)] = [
        ("tm-t88", .epsonTMT88), ("tm-t20", .epsonTMT20), ("tsp100", .starTSP100), ("srp-350", .bixolonSRP350),
    ]

    /// The profile called `name` (short or full name); `invalidData` naming the choices otherwise.
    public static func named(_ name: String) throws(DeviceError) -> PrinterProfile {
        if let short = shortNames.first(where: { $0.name == name }) { return short.profile }
        if let full = all.first(where: { $0.name == name }) { return full }
        throw DeviceError.invalidData("printer profile \"\(name)\" must be one of \(shortNames.map(\.name).joined(separator: ", ")) or \(all.map { "\"\($0.name)\"" }.joined(separator: ", "))")
    }
}
