/// Why a PayNow payload could not be made or read. Nothing was produced.
///
/// A struct over a private enum (SwiftNIO's style): new reasons do not break callers;
/// ``code`` is stable.
public struct PayNowError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case invalidProxy = 1200
        case invalidAmount = 1201
        case invalidMerchantName = 1202
        case invalidReference = 1203
        case invalidExpiry = 1204
        case fieldTooLong = 1205
        case malformedPayload = 1206
        case checksumMismatch = 1207
    }

    private let kind: Kind
    /// What exactly was wrong.
    public let message: String

    /// Stable code: 1200 invalid proxy (mobile or UEN), 1201 invalid amount, 1202 invalid
    /// merchant name, 1203 invalid reference, 1204 invalid expiry date, 1205 a field value
    /// over 99 bytes, 1206 a malformed TLV payload, 1207 a CRC that does not match.
    public var code: UInt16 { kind.rawValue }
    public var description: String { message }

    static func invalidProxy(_ message: String) -> PayNowError { .init(kind: .invalidProxy, message: message) }
    static func invalidAmount(_ message: String) -> PayNowError { .init(kind: .invalidAmount, message: message) }
    static func invalidMerchantName(_ message: String) -> PayNowError { .init(kind: .invalidMerchantName, message: message) }
    static func invalidReference(_ message: String) -> PayNowError { .init(kind: .invalidReference, message: message) }
    static func invalidExpiry(_ message: String) -> PayNowError { .init(kind: .invalidExpiry, message: message) }
    static func fieldTooLong(_ message: String) -> PayNowError { .init(kind: .fieldTooLong, message: message) }
    static func malformedPayload(_ message: String) -> PayNowError { .init(kind: .malformedPayload, message: message) }
    static func checksumMismatch(_ message: String) -> PayNowError { .init(kind: .checksumMismatch, message: message) }
}

/// The EMVCo merchant-presented QR payload of SGQR/PayNow for one payment of a fixed
/// amount (docs/QR.md): ID–length–value fields, IDs ascending, ending with the CRC.
///
/// | ID | Value |
/// |----|-------|
/// | 00 | `01` payload format |
/// | 01 | `12` dynamic (one payment) |
/// | 26 | merchant account: 00 `SG.PAYNOW`, 01 proxy type (`0` mobile, `2` UEN), 02 proxy, 03 editable (`0`/`1`), 04 expiry `YYYYMMDD` (optional) |
/// | 52 | `0000` merchant category |
/// | 53 | `702` (SGD) |
/// | 54 | amount, dollars with two decimals |
/// | 58 | `SG` |
/// | 59 | merchant name (≤ 25) |
/// | 60 | `Singapore` |
/// | 62 | additional data: 01 bill number / reference (≤ 25), when given |
/// | 63 | CRC-16/CCITT-FALSE of everything before it, `6304` included, 4 uppercase hex digits |
public struct PayNowPayload: Hashable, Sendable {
    /// Whom PayNow pays.
    public enum Proxy: Hashable, Sendable {
        /// A Singapore mobile number, `+65` and 8 digits.
        case mobile(String)
        /// A Unique Entity Number: 9–13 uppercase letters and digits (a sub-account suffix included).
        case uen(String)

        var typeCode: String {
            switch self {
            case .mobile: "0"
            case .uen: "2"
            }
        }

        var value: String {
            switch self {
            case .mobile(let number): number
            case .uen(let uen): uen
            }
        }
    }

    /// One ID–length–value field.
    public struct Field: Hashable, Sendable {
        /// Two digits.
        public let id: String
        public let value: String

        public init(id: String, value: String) {
            self.id = id
            self.value = value
        }
    }

    public let proxy: Proxy
    /// More than zero; at most 13 characters as dollars (`9999999999.99`).
    public let amount: Money
    /// Printable ASCII, 1–25 characters.
    public let merchantName: String
    /// Bill number or reference shown to the payer: printable ASCII, 1–25 characters.
    public let reference: String?
    /// Last day the code is valid, `YYYYMMDD`.
    public let expiry: String?
    /// Whether the payer may change the amount (false: the amount is fixed).
    public let editable: Bool
    /// Merchant city, field 60.
    public static let city = "Singapore"

    /// - Throws: ``PayNowError`` 1200–1205 when a value breaks its field's rules.
    public init(proxy: Proxy, amount: Money, merchantName: String, reference: String? = nil,
                expiry: String? = nil, editable: Bool = false) throws(PayNowError) {
        switch proxy {
        case .mobile(let number):
            let bytes = Array(number.utf8)
            guard bytes.count == 11, number.hasPrefix("+65"), bytes.dropFirst(3).allSatisfy(Self.isDigit) else {
                throw .invalidProxy("\"\(number)\" is not a Singapore mobile number like \"+6591234567\"")
            }
        case .uen(let uen):
            let bytes = Array(uen.utf8)
            guard (9...13).contains(bytes.count),
                  bytes.allSatisfy({ Self.isDigit($0) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) })
            else {
                throw .invalidProxy("\"\(uen)\" is not a UEN (9–13 uppercase letters and digits)")
            }
        }
        guard amount.cents > 0 else {
            throw .invalidAmount("a PayNow amount must be more than S$0.00, not \(amount.decimal)")
        }
        guard amount.decimal.utf8.count <= 13 else {
            throw .invalidAmount("\(amount.decimal) is longer than the 13 characters of field 54")
        }
        guard Self.isPrintable(merchantName, maxLength: 25) else {
            throw .invalidMerchantName("the merchant name must be 1–25 printable ASCII characters, not \"\(merchantName)\"")
        }
        if let reference, !Self.isPrintable(reference, maxLength: 25) {
            throw .invalidReference("the reference must be 1–25 printable ASCII characters, not \"\(reference)\"")
        }
        if let expiry, !Self.isDate(expiry) {
            throw .invalidExpiry("\"\(expiry)\" is not a date YYYYMMDD")
        }
        self.proxy = proxy
        self.amount = amount
        self.merchantName = merchantName
        self.reference = reference
        self.expiry = expiry
        self.editable = editable
        _ = try payloadText()  // every field within 99 bytes
    }

    /// The payload, CRC included: what the QR code carries.
    public var payload: String {
        // The initializer checked every field already.
        (try? payloadText()) ?? ""
    }

    private func payloadText() throws(PayNowError) -> String {
        var account = try Self.field("00", "SG.PAYNOW")
        account += try Self.field("01", proxy.typeCode)
        account += try Self.field("02", proxy.value)
        account += try Self.field("03", editable ? "1" : "0")
        if let expiry { account += try Self.field("04", expiry) }

        var text = try Self.field("00", "01")
        text += try Self.field("01", "12")
        text += try Self.field("26", account)
        text += try Self.field("52", "0000")
        text += try Self.field("53", "702")
        text += try Self.field("54", amount.decimal)
        text += try Self.field("58", "SG")
        text += try Self.field("59", merchantName)
        text += try Self.field("60", Self.city)
        if let reference { text += try Self.field("62", try Self.field("01", reference)) }
        text += "6304"
        return text + Self.hex4(Self.crc16(Array(text.utf8)))
    }

    /// CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR
    /// (check value 0x29B1 for "123456789").
    public static func crc16(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }

    /// The fields of an ID–length–value string (a payload or a template's value), in order.
    /// - Throws: ``PayNowError`` 1206 when a field's ID or length is not two digits or
    ///   its value runs past the end.
    public static func fields(of text: String) throws(PayNowError) -> [Field] {
        let bytes = Array(text.utf8)
        var fields = [Field]()
        var index = 0
        while index < bytes.count {
            guard index + 4 <= bytes.count, bytes[index..<(index + 4)].allSatisfy(isDigit) else {
                throw .malformedPayload("no two-digit ID and length at byte \(index)")
            }
            let length = Int(bytes[index + 2] - 48) * 10 + Int(bytes[index + 3] - 48)
            guard index + 4 + length <= bytes.count else {
                throw .malformedPayload("the value at byte \(index) runs past the end")
            }
            fields.append(Field(id: String(decoding: bytes[index..<(index + 2)], as: UTF8.self),
                                value: String(decoding: bytes[(index + 4)..<(index + 4 + length)], as: UTF8.self)))
            index += 4 + length
        }
        return fields
    }

    /// The top-level fields of a payload whose last field is a matching CRC (ID 63).
    /// - Throws: ``PayNowError`` 1206 malformed, 1207 a CRC that does not match.
    public static func verifiedFields(of payload: String) throws(PayNowError) -> [Field] {
        let fields = try fields(of: payload)
        guard let last = fields.last, last.id == "63", last.value.utf8.count == 4 else {
            throw .malformedPayload("the payload does not end with a 4-digit CRC field 63")
        }
        let covered = Array(payload.utf8.dropLast(4))
        let expected = hex4(crc16(covered))
        guard last.value == expected else {
            throw .checksumMismatch("CRC \(last.value) does not match \(expected)")
        }
        return fields
    }

    private static func field(_ id: String, _ value: String) throws(PayNowError) -> String {
        let length = value.utf8.count
        guard length <= 99 else {
            throw .fieldTooLong("field \(id) is \(length) bytes; an EMVCo field holds at most 99")
        }
        return id + (length < 10 ? "0" : "") + "\(length)" + value
    }

    private static func hex4(_ value: UInt16) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        let bytes = [12, 8, 4, 0].map { digits[Int((value >> UInt16($0)) & 0xF)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func isPrintable(_ text: String, maxLength: Int) -> Bool {
        let bytes = Array(text.utf8)
        return !bytes.isEmpty && bytes.count <= maxLength && bytes.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// `YYYYMMDD`, a real Gregorian date.
    private static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, bytes.allSatisfy(isDigit) else { return false }
        let number = { (range: Range<Int>) in bytes[range].reduce(0) { $0 * 10 + Int($1 - 48) } }
        let year = number(0..<4), month = number(4..<6), day = number(6..<8)
        guard year >= 2000, (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}
