import CLibUSB
import Foundation

/// A USB device as libusb lists it.
public struct USBDeviceInfo: Sendable, Hashable, CustomStringConvertible {
    public let bus: UInt8
    public let address: UInt8
    public let vendorID: UInt16
    public let productID: UInt16
    /// Interface classes: 7 printer, 3 HID.
    public let interfaceClasses: [UInt8]

    public var description: String {
        let kind = interfaceClasses.contains(7) ? "printer" : interfaceClasses.contains(3) ? "HID (scanner/keyboard)" : "other"
        let profile = PrinterProfile.matching(vendor: vendorID, product: productID).map { " — \($0.name)" } ?? ""
        return String(format: "bus %03d device %03d  %04x:%04x  ", bus, address, vendorID, productID) + kind + profile
    }
}

/// libusb access: enumeration, and a printer transport over bulk endpoints.
public enum USB {
    /// Every USB device libusb sees, with its interface classes.
    public static func list() throws -> [USBDeviceInfo] {
        var context: OpaquePointer?
        guard libusb_init(&context) == 0 else { throw DeviceError.unavailable("libusb cannot start") }
        defer { libusb_exit(context) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw DeviceError.unavailable("libusb cannot list devices") }
        defer { libusb_free_device_list(list, 1) }
        var devices: [USBDeviceInfo] = []
        for index in 0..<min(count, 256) {
            guard let device = list[index] else { continue }
            var descriptor = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &descriptor) == 0 else { continue }
            devices.append(USBDeviceInfo(
                bus: libusb_get_bus_number(device), address: libusb_get_device_address(device),
                vendorID: descriptor.idVendor, productID: descriptor.idProduct, interfaceClasses: interfaceClasses(device)))
        }
        return devices
    }

    static func interfaceClasses(_ device: OpaquePointer) -> [UInt8] {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &config) == 0 || libusb_get_config_descriptor(device, 0, &config) == 0,
            let config
        else { return [] }
        defer { libusb_free_config_descriptor(config) }
        var classes: [UInt8] = []
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[i]
            for a in 0..<Int(interface.num_altsetting) { classes.append(interface.altsetting[a].bInterfaceClass) }
        }
        return classes
    }
}

/// A USB receipt printer (printer class 7, bulk OUT and IN): the kernel's usblp driver
/// is detached while we use it, the interface claimed, every transfer bounded by a
/// timeout. Opened per operation, so an unplugged and replugged printer just works on
/// the next job.
public struct USBPrinterTransport: PrinterTransport {
    public let vendorID: UInt16?
    public let productID: UInt16?
    public let timeoutMs: UInt32

    public init(vendorID: UInt16? = nil, productID: UInt16? = nil, timeoutMs: UInt32 = 3_000) {
        self.vendorID = vendorID
        self.productID = productID
        self.timeoutMs = timeoutMs
    }

    public func write(_ bytes: [UInt8]) throws {
        try withPrinter { handle, endpointOut, _ in
            var offset = 0
            while offset < bytes.count {
                let chunk = Array(bytes[offset..<min(bytes.count, offset + 16_384)])
                var transferred: Int32 = 0
                var buffer = chunk
                let code = buffer.withUnsafeMutableBufferPointer {
                    libusb_bulk_transfer(handle, endpointOut, $0.baseAddress, Int32(chunk.count), &transferred, timeoutMs)
                }
                guard code == 0, transferred > 0 else {
                    throw code == LIBUSB_ERROR_TIMEOUT.rawValue ? DeviceError.timeout("printer did not take data within \(timeoutMs) ms")
                        : DeviceError.io("USB write failed: \(String(cString: libusb_error_name(code)))")
                }
                offset += Int(transferred)
            }
        }
    }

    public func read(count: Int, timeoutMs: Int) throws -> [UInt8] {
        try withPrinter { handle, _, endpointIn in
            guard let endpointIn else { return [] }
            var buffer = [UInt8](repeating: 0, count: max(count, 64))
            var transferred: Int32 = 0
            let code = buffer.withUnsafeMutableBufferPointer {
                libusb_bulk_transfer(handle, endpointIn, $0.baseAddress, Int32($0.count), &transferred, UInt32(timeoutMs))
            }
            if code == LIBUSB_ERROR_TIMEOUT.rawValue { return [] }
            guard code == 0 else { throw DeviceError.io("USB read failed: \(String(cString: libusb_error_name(code)))") }
            return Array(buffer.prefix(Int(transferred)).prefix(count))
        }
    }

    /// Status query and reply must share one open: writes then reads in one session.
    public func query(_ request: [UInt8], replyTimeoutMs: Int) throws -> [UInt8] {
        try withPrinter { handle, endpointOut, endpointIn in
            var buffer = request
            var transferred: Int32 = 0
            let code = buffer.withUnsafeMutableBufferPointer {
                libusb_bulk_transfer(handle, endpointOut, $0.baseAddress, Int32($0.count), &transferred, timeoutMs)
            }
            guard code == 0 else { throw DeviceError.io("USB write failed: \(String(cString: libusb_error_name(code)))") }
            guard let endpointIn else { return [] }
            var reply = [UInt8](repeating: 0, count: 64)
            let readCode = reply.withUnsafeMutableBufferPointer {
                libusb_bulk_transfer(handle, endpointIn, $0.baseAddress, Int32($0.count), &transferred, UInt32(replyTimeoutMs))
            }
            if readCode == LIBUSB_ERROR_TIMEOUT.rawValue { return [] }
            guard readCode == 0 else { throw DeviceError.io("USB read failed: \(String(cString: libusb_error_name(readCode)))") }
            return Array(reply.prefix(Int(transferred)))
        }
    }

    private func withPrinter<T>(_ body: (OpaquePointer, UInt8, UInt8?) throws -> T) throws -> T {
        var context: OpaquePointer?
        guard libusb_init(&context) == 0 else { throw DeviceError.unavailable("libusb cannot start") }
        defer { libusb_exit(context) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw DeviceError.unavailable("libusb cannot list devices") }
        defer { libusb_free_device_list(list, 1) }
        for index in 0..<min(count, 256) {
            guard let device = list[index] else { continue }
            var descriptor = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &descriptor) == 0 else { continue }
            if let vendorID, descriptor.idVendor != vendorID { continue }
            if let productID, descriptor.idProduct != productID { continue }
            guard let (interfaceNumber, endpointOut, endpointIn) = printerInterface(device) else { continue }
            var handle: OpaquePointer?
            guard libusb_open(device, &handle) == 0, let handle else {
                throw DeviceError.unavailable(String(format: "cannot open printer %04x:%04x (permissions?)", descriptor.idVendor, descriptor.idProduct))
            }
            defer { libusb_close(handle) }
            // usblp claims printers: detach it while we print, and give the printer back after.
            let detached = libusb_kernel_driver_active(handle, interfaceNumber) == 1
                && libusb_detach_kernel_driver(handle, interfaceNumber) == 0
            defer { if detached { _ = libusb_attach_kernel_driver(handle, interfaceNumber) } }
            let claimed = libusb_claim_interface(handle, interfaceNumber)
            guard claimed == 0 else {
                throw DeviceError.unavailable("printer interface \(interfaceNumber) is busy: \(String(cString: libusb_error_name(claimed)))")
            }
            defer { libusb_release_interface(handle, interfaceNumber) }
            return try body(handle, endpointOut, endpointIn)
        }
        throw DeviceError.notFound("no USB receipt printer (interface class 7) is connected")
    }

    /// The printer-class interface and its bulk OUT / IN endpoints.
    private func printerInterface(_ device: OpaquePointer) -> (Int32, UInt8, UInt8?)? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &config) == 0 || libusb_get_config_descriptor(device, 0, &config) == 0,
            let config
        else { return nil }
        defer { libusb_free_config_descriptor(config) }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let setting = config.pointee.interface[i].altsetting[0]
            guard setting.bInterfaceClass == 7 else { continue }
            var endpointOut: UInt8?
            var endpointIn: UInt8?
            for e in 0..<Int(setting.bNumEndpoints) {
                let endpoint = setting.endpoint[e]
                guard endpoint.bmAttributes & 0x03 == 2 else { continue }  // bulk
                if endpoint.bEndpointAddress & 0x80 != 0 { endpointIn = endpoint.bEndpointAddress } else { endpointOut = endpoint.bEndpointAddress }
            }
            if let endpointOut { return (Int32(setting.bInterfaceNumber), endpointOut, endpointIn) }
        }
        return nil
    }
}
