/// Calendar arithmetic in plain integers (Howard Hinnant's days-from-civil), so dates
/// decide GST rates identically on every node: no time-zone database, no clock.
public enum CivilTime {
    /// Singapore Standard Time, UTC+08:00 (no daylight saving since 1982).
    public static let singaporeOffsetMs: Int64 = 8 * 3_600_000

    /// A calendar date.
    public struct Date: Hashable, Comparable, Sendable, CustomStringConvertible {
        public let year: Int64
        public let month: Int64
        public let day: Int64

        public init(year: Int64, month: Int64, day: Int64) {
            self.year = year
            self.month = month
            self.day = day
        }

        /// `YYYY-MM-DD`; nil unless it is a real date.
        public init?(iso text: String) {
            let bytes = Array(text.utf8)
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                let year = CivilTime.number(bytes[0..<4]), let month = CivilTime.number(bytes[5..<7]),
                let day = CivilTime.number(bytes[8..<10]), CivilTime.isValid(year: year, month: month, day: day)
            else { return nil }
            self.init(year: year, month: month, day: day)
        }

        public var description: String {
            func pad(_ value: Int64, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }

        public static func < (lhs: Date, rhs: Date) -> Bool {
            (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
        }
    }

    /// Days since 1970-01-01 of a civil date.
    public static func days(from date: Date) -> Int64 {
        let year = date.month <= 2 ? date.year - 1 : date.year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (date.month + (date.month > 2 ? -3 : 9)) + 2) / 5 + date.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func date(fromDays count: Int64) -> Date {
        let z = count + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return Date(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    /// The Singapore calendar date of an instant (ms since the epoch).
    public static func singaporeDate(epochMs: Int64) -> Date {
        let local = epochMs + singaporeOffsetMs
        let days = local >= 0 ? local / 86_400_000 : (local - 86_399_999) / 86_400_000
        return date(fromDays: days)
    }

    /// Singapore local time of an instant: `YYYY-MM-DD HH:MM:SS`.
    public static func singaporeDateTime(epochMs: Int64) -> String {
        let local = epochMs + singaporeOffsetMs
        let msOfDay = ((local % 86_400_000) + 86_400_000) % 86_400_000
        let seconds = msOfDay / 1_000
        let two = { (value: Int64) in value < 10 ? "0\(value)" : "\(value)" }
        return "\(singaporeDate(epochMs: epochMs)) \(two(seconds / 3_600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// Parses RFC 3339 `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` to ms since the epoch.
    public static func parse(_ text: String) throws(RetailError) -> Int64 {
        let bytes = Array(text.utf8)
        let fail = RetailError.invalidTimestamp(
            "\"\(text)\" is not an RFC 3339 time like \"2026-03-01T10:00:00+08:00\"")
        guard bytes.count >= 20, bytes.count <= 35, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let date = Date(iso: String(decoding: bytes[0..<10], as: UTF8.self)),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]), let second = number(bytes[17..<19]),
            hour < 24, minute < 60, second < 60
        else { throw fail }
        var index = 19
        var milliseconds: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), index - start < 9 {
                index += 1
            }
            guard index > start, let fraction = number(bytes[start..<min(index, start + 3)]) else { throw fail }
            let digits = min(index, start + 3) - start
            milliseconds = fraction * (digits == 1 ? 100 : digits == 2 ? 10 : 1)
        }
        var offsetMs: Int64 = 0
        let rest = bytes[index...]
        if rest.count == 1, rest.first == UInt8(ascii: "Z") {
            offsetMs = 0
        } else if rest.count == 6, rest[index] == UInt8(ascii: "+") || rest[index] == UInt8(ascii: "-"),
            rest[index + 3] == UInt8(ascii: ":"), let offsetHours = number(bytes[(index + 1)..<(index + 3)]),
            let offsetMinutes = number(bytes[(index + 4)..<(index + 6)]), offsetHours < 24, offsetMinutes < 60
        {
            offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (rest[index] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            throw fail
        }
        let seconds = days(from: date) * 86_400 + hour * 3_600 + minute * 60 + second
        return seconds * 1_000 + milliseconds - offsetMs
    }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func isValid(year: Int64, month: Int64, day: Int64) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths: [Int64] = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[Int(month - 1)]
    }
}
