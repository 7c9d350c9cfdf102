import CLibUSB
import Foundation

/// A USB barcode scanner in HID boot-keyboard mode, read with libusb interrupt transfers
/// (usbhid is detached while we read, so scans do not also arrive as keystrokes). Scans
/// come as an async stream; every read has a timeout, and the stream ends after
/// `idleTimeoutMs` without a report or after `scansMax` scans.
public struct USBScanner: Sendable {
    public let vendorID: UInt16?
    public let productID: UInt16?

    public init(vendorID: UInt16? = nil, productID: UInt16? = nil) {
        self.vendorID = vendorID
        self.productID = productID
    }

    public func scans(scansMax: Int = 1_000, idleTimeoutMs: UInt32 = 2_000) -> AsyncThrowingStream<Scan, any Error> {
        AsyncThrowingStream { continuation in
            let thread = Thread {
                do {
                    try read(scansMax: scansMax, idleTimeoutMs: idleTimeoutMs) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.start()
        }
    }

    /// Reads reports until `scansMax` scans or `idleTimeoutMs` of silence.
    public func read(scansMax: Int, idleTimeoutMs: UInt32, _ deliver: (Scan) -> Void) throws {
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
            guard let (interfaceNumber, endpoint) = keyboardInterface(device) else { continue }
            var handle: OpaquePointer?
            guard libusb_open(device, &handle) == 0, let handle else { throw DeviceError.unavailable("cannot open the scanner") }
            defer { libusb_close(handle) }
            let detached = libusb_kernel_driver_active(handle, interfaceNumber) == 1
                && libusb_detach_kernel_driver(handle, interfaceNumber) == 0
            defer { if detached { _ = libusb_attach_kernel_driver(handle, interfaceNumber) } }
            guard libusb_claim_interface(handle, interfaceNumber) == 0 else { throw DeviceError.unavailable("scanner is busy") }
            defer { libusb_release_interface(handle, interfaceNumber) }
            var decoder = HIDKeyboardDecoder()
            var delivered = 0
            var report = [UInt8](repeating: 0, count: 8)
            while delivered < scansMax {
                var transferred: Int32 = 0
                let code = report.withUnsafeMutableBufferPointer {
                    libusb_interrupt_transfer(handle, endpoint, $0.baseAddress, 8, &transferred, idleTimeoutMs)
                }
                if code == LIBUSB_ERROR_TIMEOUT.rawValue { return }
                guard code == 0 else {
                    if code == LIBUSB_ERROR_NO_DEVICE.rawValue { throw DeviceError.unavailable("scanner unplugged") }
                    throw DeviceError.io("scanner read failed: \(String(cString: libusb_error_name(code)))")
                }
                if transferred == 8, let scan = decoder.feed(report) {
                    deliver(scan)
                    delivered += 1
                }
            }
            return
        }
        throw DeviceError.notFound("no USB barcode scanner (HID boot keyboard) is connected")
    }

    private func keyboardInterface(_ device: OpaquePointer) -> (Int32, UInt8)? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(device, &config) == 0 || libusb_get_config_descriptor(device, 0, &config) == 0,
            let config
        else { return nil }
        defer { libusb_free_config_descriptor(config) }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let setting = config.pointee.interface[i].altsetting[0]
            guard setting.bInterfaceClass == 3, setting.bInterfaceSubClass == 1, setting.bInterfaceProtocol == 1 else { continue }
            for e in 0..<Int(setting.bNumEndpoints) {
                let endpoint = setting.endpoint[e]
                if endpoint.bmAttributes & 0x03 == 3, endpoint.bEndpointAddress & 0x80 != 0 {
                    return (Int32(setting.bInterfaceNumber), endpoint.bEndpointAddress)
                }
            }
        }
        return nil
    }
}
