/// A scanned code, with its symbology when the scanner says (HID POS, AIM id).
public struct Scan: Sendable, Hashable {
    public var code: String
    /// AIM symbology identifier (`]E0` EAN-13/UPC-A, `]C0` CODE128, `]Q1` QR), if known.
    public var symbology: String?
    /// For EAN/UPC codes: whether the check digit is right.
    public var checkDigitValid: Bool?

    public init(code: String, symbology: String? = nil) {
        self.code = code
        self.symbology = symbology
        checkDigitValid = GTIN.isNumeric(code) && [8, 12, 13].contains(code.count) ? GTIN.isValid(code) : nil
    }
}

/// GTIN (EAN-8, UPC-A, EAN-13) check digits: weights 3 and 1 from the right.
public enum GTIN {
    static func isNumeric(_ code: String) -> Bool { !code.isEmpty && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }

    public static func checkDigit(of body: String) -> Int? {
        guard isNumeric(body) else { return nil }
        var sum = 0
        for (position, byte) in body.utf8.reversed().enumerated() { sum += Int(byte - 0x30) * (position % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10
    }

    public static func isValid(_ code: String) -> Bool {
        guard isNumeric(code), code.count >= 2, let expected = checkDigit(of: String(code.dropLast())) else { return false }
        return Int(code.utf8.last! - 0x30) == expected
    }
}

/// Decodes USB HID boot-keyboard reports (8 bytes: modifiers, reserved, six key usages)
/// from a scanner in keyboard mode into codes, US layout: shift for capitals and
/// symbols, a key counts on press (repeats need a release in between), Enter or Tab ends
/// a code. Bounded: a code longer than ``codeMax`` is dropped.
public struct HIDKeyboardDecoder: Sendable {
    public static let codeMax = 256
    private var buffer = ""
    private var pressed: Set<UInt8> = []

    public init() {}

    /// Feeds one report; returns a scan when a terminator arrives.
    public mutating func feed(_ report: [UInt8]) -> Scan? {
        guard report.count == 8 else { return nil }
        let shift = report[0] & 0x22 != 0
        let keys = Set(report[2...].filter { $0 > 3 })
        defer { pressed = keys }
        for key in report[2...] where key > 3 && !pressed.contains(key) {
            if key == 0x28 || key == 0x58 || key == 0x2B {  // Enter, keypad Enter, Tab
                defer { buffer = "" }
                return buffer.isEmpty ? nil : Scan(code: buffer)
            }
            guard let character = HIDKeyboardDecoder.character(key, shift: shift) else { continue }
            if buffer.count < HIDKeyboardDecoder.codeMax { buffer.append(character) } else { buffer = "" }
        }
        return nil
    }

    static let unshifted: [UInt8: Character] = {
        var map: [UInt8: Character] = [:]
        for (offset, letter) in "abcdefghijklmnopqrstuvwxyz".enumerated() { map[UInt8(0x04 + offset)] = letter }
        for (offset, digit) in "1234567890".enumerated() { map[UInt8(0x1E + offset)] = digit }
        for (usage, character) in zip([0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38] as [UInt8], " -=[]\\;'`,./") {
            map[usage] = character
        }
        return map
    }()

    static let shifted: [UInt8: Character] = {
        var map: [UInt8: Character] = [:]
        for (offset, letter) in "ABCDEFGHIJKLMNOPQRSTUVWXYZ".enumerated() { map[UInt8(0x04 + offset)] = letter }
        for (offset, symbol) in "!@#$%^&*()".enumerated() { map[UInt8(0x1E + offset)] = symbol }
        for (usage, character) in zip([0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38] as [UInt8], " _+{}|:\"~<>?") {
            map[usage] = character
        }
        return map
    }()

    static func character(_ usage: UInt8, shift: Bool) -> Character? { (shift ? shifted : unshifted)[usage] }
}

/// Decodes HID POS barcode-scanner input reports (usage page 0x8C): report id 2, the
/// data length, the AIM symbology id (`]` + two characters), the data, and a
/// more-data flag for codes longer than one report.
public struct HIDPOSDecoder: Sendable {
    private var pending: [UInt8] = []
    private var symbology: String?

    public init() {}

    public mutating func feed(_ report: [UInt8]) -> Scan? {
        guard report.count >= 3, report[0] == 0x02 else { return nil }
        let length = Int(report[1])
        guard report.count >= 2 + length + 1 else { return nil }
        var data = Array(report[2..<(2 + length)])
        let moreData = report[report.count - 1] & 0x01 != 0
        if pending.isEmpty, symbology == nil, data.count >= 3, data[0] == UInt8(ascii: "]") {
            symbology = String(decoding: data[0..<3], as: UTF8.self)
            data.removeFirst(3)
        }
        pending += data
        guard !moreData, pending.count <= HIDKeyboardDecoder.codeMax else { return nil }
        defer { pending = []; symbology = nil }
        return Scan(code: String(decoding: pending, as: UTF8.self), symbology: symbology)
    }
}

/// The HID boot-keyboard reports a scanner sends for `code` followed by Enter (a press
/// report and an all-zero release per character): test fixtures and documentation.
public func hidKeyboardReports(for code: String) -> [[UInt8]] {
    var reports: [[UInt8]] = []
    for character in code + "\n" {
        if character == "\n" {
            reports.append([0, 0, 0x28, 0, 0, 0, 0, 0])
        } else if let usage = HIDKeyboardDecoder.unshifted.first(where: { $0.value == character })?.key {
            reports.append([0, 0, usage, 0, 0, 0, 0, 0])
        } else if let usage = HIDKeyboardDecoder.shifted.first(where: { $0.value == character })?.key {
            reports.append([0x02, 0, usage, 0, 0, 0, 0, 0])
        } else {
            continue
        }
        reports.append([0, 0, 0, 0, 0, 0, 0, 0])
    }
    return reports
}
