import SGPOSRetail
import Testing

/// GS1 element strings as scanners deliver them (GS1 General Specifications §3, §7.9,
/// §7.12): GTIN with its check digit, lot, expiry (day 00: the month's last day; the
/// century from the scanning date), in raw form with FNC1 separators or human-readable.
@Suite("GS1 element strings")
struct GS1ElementStringTests {
    let today = CivilTime.Date(iso: "2026-12-06")!
    let separator = "\u{1D}"

    @Test func humanReadableAndRawReadTheSame() throws {
        let readable = try GS1ElementString.parse("(01)09506000134352(17)270131(10)ABC123", today: today)
        #expect(readable.gtin == "09506000134352" && readable.lot == "ABC123" && readable.expiry == CivilTime.Date(iso: "2027-01-31"))
        // A DataMatrix read: symbology identifier, the lot ended by FNC1, the expiry last with day 00.
        let raw = try GS1ElementString.parse("]d2" + "0109506000134352" + "10ABC123" + separator + "17270100", today: today)
        #expect(raw.gtin == readable.gtin && raw.lot == readable.lot && raw.expiry == readable.expiry)
        #expect(raw.elements.map(\.ai) == ["01", "10", "17"])
        // A variable field last needs no separator.
        let last = try GS1ElementString.parse("01095060001343521727013110LOT7" + separator + "21SN-0009", today: today)
        #expect(last.lot == "LOT7" && last.serial == "SN-0009")
    }

    @Test func checkDigitsAndCenturies() throws {
        // 0·3 + 9·1 + 5·3 + 0·1 + 6·3 + 0 + 0 + 0 + 1·3 + 3·1 + 4·3 + 3·1 + 5·3 = 78: check digit 2.
        #expect(GS1ElementString.checkDigitHolds("09506000134352"))
        #expect(!GS1ElementString.checkDigitHolds("09506000134353"))
        #expect(GS1ElementString.checkDigitHolds("4006381333931"), "an EAN-13")
        func year(_ yymmdd: String, on day: String) throws -> Int64? {
            try GS1ElementString.parse("(17)" + yymmdd, today: CivilTime.Date(iso: day)!).expiry?.year
        }
        #expect(try year("760101", on: "2026-12-06") == 2076, "50 years ahead: this century")
        #expect(try year("770101", on: "2026-12-06") == 1977, "51 ahead: the previous one")
        #expect(try year("170101", on: "2090-06-01") == 2117, "73 behind: the next one")
        #expect(try year("280229", on: "2026-12-06") == 2028)
    }

    @Test func refusalsSayWhy() {
        func code(_ text: String) -> Int? {
            do { _ = try GS1ElementString.parse(text, today: today); return nil } catch { return error.code }
        }
        #expect(code("") == 1 && code("]d2") == 1)
        #expect(code("99ABC") == 2 && code("(1)X") == 2)
        #expect(code("0109506000134353") == 5)
        #expect(code("10" + String(repeating: "A", count: 21)) == 3 && code("010950600013") == 3)
        #expect(code("(17)270230") == 6 && code("(17)271301") == 6 && code("(17)27013") == 3)
        #expect(code("(10)A(10)B") == 7)
    }
}
