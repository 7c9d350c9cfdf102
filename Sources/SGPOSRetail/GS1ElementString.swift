/// A GS1 element string as a scanner reads it from a GS1-128 barcode, a GS1 DataMatrix or
/// a GS1 QR code (GS1 General Specifications §3, §7.8): application identifiers (AIs) and
/// their data, in raw form — a symbology identifier such as `]d2` optional, the variable
/// length fields ended by FNC1 (the GS character, 0x1D) unless last — or in the
/// human-readable form `(01)09506000134352(17)270131(10)LOT7`. The till uses the GTIN
/// (01), the batch or lot (10), the expiry date (17) and the serial number (21).
public struct GS1Scan: Hashable, Sendable {
    /// AI 01: the trade item's GTIN-14 (check digit verified).
    public var gtin: String?
    /// AI 10: batch or lot number.
    public var lot: String?
    /// AI 17: expiry date (a day of 00 is the month's last day).
    public var expiry: CivilTime.Date?
    /// AI 21: serial number.
    public var serial: String?
    /// Every element, in the order scanned: (AI, data).
    public var elements: [(ai: String, data: String)] = []

    public static func == (a: Self, b: Self) -> Bool {
        a.gtin == b.gtin && a.lot == b.lot && a.expiry == b.expiry && a.serial == b.serial
            && a.elements.map(\.ai) == b.elements.map(\.ai) && a.elements.map(\.data) == b.elements.map(\.data)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(gtin) }
}

/// Why a GS1 element string was not read; `code` is stable.
public struct GS1Error: Error, Sendable, CustomStringConvertible {
    enum Kind: Int {
        case empty = 1
        case unknownAI = 2
        case badLength = 3
        case badCharacter = 4
        case checkDigit = 5
        case badDate = 6
        case repeated = 7
    }

    let kind: Kind
    public let message: String
    public var code: Int { kind.rawValue }
    public var description: String { "GS1 error \(code): \(message)" }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

public enum GS1ElementString {
    /// The group separator that ends a variable-length field (FNC1 in the symbol).
    public static let separator: Character = "\u{1D}"

    /// The AIs read in raw form: fixed length, or variable up to a maximum.
    static let lengths: [String: (length: Int, fixed: Bool)] = [
        "00": (18, true), "01": (14, true), "02": (14, true), "10": (20, false), "11": (6, true), "12": (6, true),
        "13": (6, true), "15": (6, true), "16": (6, true), "17": (6, true), "20": (2, true), "21": (20, false),
        "30": (8, false), "37": (8, false),
    ]

    /// Reads `text` as scanned on `today` (the century of a two-digit year is the one that
    /// puts it within 49 years before and 50 after today, §7.12).
    public static func parse(_ text: String, today: CivilTime.Date) throws(GS1Error) -> GS1Scan {
        var body = Substring(text)
        for prefix in ["]C1", "]e0", "]d2", "]Q3"] where body.hasPrefix(prefix) { body = body.dropFirst(prefix.count) }
        guard !body.isEmpty else { throw GS1Error(.empty, "nothing after the symbology identifier") }
        let elements = body.hasPrefix("(") ? try humanReadable(body) : try raw(body)
        var scan = GS1Scan()
        var seen: Set<String> = []
        for (ai, data) in elements {
            guard seen.insert(ai).inserted else { throw GS1Error(.repeated, "AI (\(ai)) appears twice") }
            if let rule = lengths[ai] {
                guard rule.fixed ? data.count == rule.length : (1...rule.length).contains(data.count) else {
                    throw GS1Error(.badLength, "AI (\(ai)) takes \(rule.fixed ? "exactly" : "1 to") \(rule.length) characters, not \(data.count)")
                }
            }
            guard data.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
                throw GS1Error(.badCharacter, "AI (\(ai)) holds a character outside printable ASCII")
            }
            switch ai {
            case "01":
                guard data.utf8.allSatisfy({ (48...57).contains($0) }), checkDigitHolds(data) else {
                    throw GS1Error(.checkDigit, "GTIN \(data) fails its check digit")
                }
                scan.gtin = data
            case "10": scan.lot = data
            case "17": scan.expiry = try date(data, today: today)
            case "21": scan.serial = data
            default: break
            }
            scan.elements.append((ai, data))
        }
        return scan
    }

    /// `(AI)data(AI)data…`: any AI of 2 to 4 digits.
    static func humanReadable(_ text: Substring) throws(GS1Error) -> [(String, String)] {
        var elements: [(String, String)] = []
        var rest = text
        while !rest.isEmpty {
            guard rest.first == "(", let close = rest.firstIndex(of: ")") else { throw GS1Error(.unknownAI, "expected (AI) at \"\(rest.prefix(8))\"") }
            let ai = String(rest[rest.index(after: rest.startIndex)..<close])
            guard (2...4).contains(ai.count), ai.utf8.allSatisfy({ (48...57).contains($0) }) else { throw GS1Error(.unknownAI, "(\(ai)) is not an AI") }
            rest = rest[rest.index(after: close)...]
            let end = rest.firstIndex(of: "(") ?? rest.endIndex
            elements.append((ai, String(rest[..<end])))
            rest = rest[end...]
        }
        return elements
    }

    /// Raw data: each AI's length from the table; a variable field runs to the separator.
    static func raw(_ text: Substring) throws(GS1Error) -> [(String, String)] {
        var elements: [(String, String)] = []
        var rest = text
        while !rest.isEmpty {
            if rest.first == separator { rest = rest.dropFirst(); continue }
            let ai = String(rest.prefix(2))
            guard let rule = lengths[ai] else { throw GS1Error(.unknownAI, "AI \(ai) is not one this till reads in raw form") }
            rest = rest.dropFirst(2)
            let data: Substring
            if rule.fixed {
                guard rest.count >= rule.length else { throw GS1Error(.badLength, "AI (\(ai)) takes \(rule.length) characters; \(rest.count) are left") }
                data = rest.prefix(rule.length)
            } else {
                data = rest.prefix { $0 != separator }
            }
            elements.append((ai, String(data)))
            rest = rest.dropFirst(data.count)
        }
        return elements
    }

    /// The GS1 mod-10 check digit of a GTIN (weights 3 and 1 from the right, §7.9).
    public static func checkDigitHolds(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count == digits.count, values.count >= 2 else { return false }
        var sum = 0
        for (offset, value) in values.dropLast().reversed().enumerated() { sum += value * (offset % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10 == values.last!
    }

    /// YYMMDD, DD 00 meaning the month's last day; the century by §7.12's rule.
    static func date(_ text: String, today: CivilTime.Date) throws(GS1Error) -> CivilTime.Date {
        let digits = text.compactMap(\.wholeNumberValue).map(Int64.init)
        guard digits.count == 6 else { throw GS1Error(.badDate, "expiry \(text) is not YYMMDD") }
        let yy = digits[0] * 10 + digits[1], month = digits[2] * 10 + digits[3], day = digits[4] * 10 + digits[5]
        let current = today.year % 100
        var century = today.year - current
        let difference = yy - current
        if difference >= 51 { century -= 100 } else if difference <= -50 { century += 100 }
        let year = century + yy
        guard (1...12).contains(month) else { throw GS1Error(.badDate, "expiry \(text): month \(month)") }
        let last = CivilTime.date(fromDays: CivilTime.days(from: CivilTime.Date(year: month == 12 ? year + 1 : year,
                                                                                   month: month == 12 ? 1 : month + 1, day: 1)) - 1).day
        guard day == 0 || (1...last).contains(day) else { throw GS1Error(.badDate, "expiry \(text): day \(day)") }
        return CivilTime.Date(year: year, month: month, day: day == 0 ? last : day)
    }
}
