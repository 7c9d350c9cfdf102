import SGPOSTill

/// Lays a receipt out as ESC/POS commands for a printer profile: the merchant's name
/// large and centred, the IRAS text of ``ReceiptTextRenderer`` at the profile's width,
/// "COPY" on reprints, the verification QR code, the receipt number as a CODE128
/// barcode, then feed and cut (and the drawer kick, for cash sales).
public enum ReceiptEscPos {
    public static func commands(_ receipt: ReceiptDocument, profile: PrinterProfile, copy: Bool = false,
                                kickDrawer: Bool = false) -> [EscPosEncoder.Command] {
        let columns = profile.columns <= 44 ? 42 : 48
        var lines = ReceiptTextRenderer(columns: columns).render(receipt)
        // The QR code carries the payload; its text lines are not printed again.
        if let start = lines.firstIndex(where: { $0.hasPrefix("sgpos:1/") }) { lines.removeSubrange(start...) }
        var commands: [EscPosEncoder.Command] = [.initialize]
        commands.append(.set(align: .center, bold: true, size: .double))
        commands.append(.text(String(receipt.merchant.legalName.prefix(columns / 2)) + "\n"))
        commands.append(.set(align: .left, bold: false, size: .normal))
        if copy {
            commands.append(.set(align: .center, bold: true, size: nil))
            commands.append(.text("*** COPY - REPRINT ***\n"))
            commands.append(.set(align: .left, bold: false, size: nil))
        }
        commands.append(.text(lines.dropFirst().joined(separator: "\n") + "\n"))
        commands.append(.set(align: .center, bold: nil, size: nil))
        if profile.nativeQR { commands.append(.qr(receipt.qr.description, size: 4)) }
        commands.append(.barcode128(receipt.number))
        commands.append(.set(align: .left, bold: nil, size: nil))
        commands.append(.feed(lines: 1))
        if profile.hasCutter { commands.append(.cut(partial: profile.partialCut)) }
        if kickDrawer { commands.append(.cashDrawer(pin: 2)) }
        return commands
    }

    /// The bytes of ``commands(_:profile:copy:kickDrawer:)``.
    public static func encode(_ receipt: ReceiptDocument, profile: PrinterProfile, copy: Bool = false,
                              kickDrawer: Bool = false) -> [UInt8] {
        var encoder = EscPosEncoder()
        for command in commands(receipt, profile: profile, copy: copy, kickDrawer: kickDrawer) { encoder.apply(command) }
        return encoder.bytes
    }
}
