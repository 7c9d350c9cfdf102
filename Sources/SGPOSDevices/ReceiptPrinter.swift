/// A receipt printer behind a transport: real-time status, printing, the drawer kick.
public struct ReceiptPrinter: Sendable {
    public let transport: any PrinterTransport
    public let profile: PrinterProfile
    public let statusTimeoutMs: Int

    public init(transport: any PrinterTransport, profile: PrinterProfile, statusTimeoutMs: Int = 500) {
        self.transport = transport
        self.profile = profile
        self.statusTimeoutMs = statusTimeoutMs
    }

    /// The paper sensor (DLE EOT 4); nil when the printer does not answer (file and
    /// network spools cannot tell, so they count as ready).
    public func status() throws -> PrinterStatus? {
        let reply = try transport.query(EscPosEncoder.statusQuery(4), replyTimeoutMs: statusTimeoutMs)
        guard let byte = reply.first else { return nil }
        guard let status = PrinterStatus(printer: nil, offlineCause: nil, paper: byte) else {
            throw DeviceError.invalidData("status reply \(byte) is not an ESC/POS status byte")
        }
        return status
    }

    /// Sends bytes if the printer is ready; throws ``DeviceError`` naming why not.
    public func print(_ bytes: [UInt8]) throws {
        if let status = try status(), !status.ready {
            throw DeviceError.notReady("printer \(profile.name) is \(status)")
        }
        try transport.write(bytes)
    }
}

/// A drawer kick, to be recorded as a cash event of the till's shift.
public struct CashDrawerKick: Sendable, Hashable, Codable {
    public var atMs: Int64
    public var till: String
    /// `sale`, `no-sale`, `float`, `refund`…
    public var reason: String

    public init(atMs: Int64, till: String, reason: String) {
        self.atMs = atMs
        self.till = till
        self.reason = reason
    }
}
