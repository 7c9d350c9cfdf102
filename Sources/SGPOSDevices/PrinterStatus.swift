/// A printer's state from its real-time status bytes (DLE EOT 1, 2 and 4, Epson ESC/POS).
public struct PrinterStatus: Sendable, Hashable, CustomStringConvertible {
    public var online: Bool
    public var coverOpen: Bool
    public var paperOut: Bool
    public var paperNearEnd: Bool
    /// Drawer kick-out connector pin 3 high: the drawer is open (where the drawer reports it).
    public var drawerOpen: Bool

    public init(online: Bool = true, coverOpen: Bool = false, paperOut: Bool = false, paperNearEnd: Bool = false,
                drawerOpen: Bool = false) {
        self.online = online
        self.coverOpen = coverOpen
        self.paperOut = paperOut
        self.paperNearEnd = paperNearEnd
        self.drawerOpen = drawerOpen
    }

    /// From the replies to DLE EOT 1 (printer), 2 (offline cause) and 4 (paper sensor).
    /// Every reply has bit 4 set and bit 7 clear; anything else is not a status byte.
    public init?(printer: UInt8?, offlineCause: UInt8?, paper: UInt8?) {
        for byte in [printer, offlineCause, paper].compactMap({ $0 }) where byte & 0x93 != 0x12 { return nil }
        online = printer.map { $0 & 0x08 == 0 } ?? true
        drawerOpen = printer.map { $0 & 0x04 != 0 } ?? false
        coverOpen = offlineCause.map { $0 & 0x04 != 0 } ?? false
        paperOut = paper.map { $0 & 0x60 != 0 } ?? false || offlineCause.map { $0 & 0x20 != 0 } ?? false
        paperNearEnd = paper.map { $0 & 0x0C != 0 } ?? false
    }

    /// Whether a receipt can be printed now.
    public var ready: Bool { online && !coverOpen && !paperOut }

    public var description: String {
        if ready { return paperNearEnd ? "ready (paper low)" : "ready" }
        return [online ? nil : "offline", coverOpen ? "cover open" : nil, paperOut ? "out of paper" : nil]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
