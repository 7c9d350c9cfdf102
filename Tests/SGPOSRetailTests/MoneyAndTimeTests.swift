import SGPOSRetail
import Testing

@Suite struct MoneyTests {
    @Test func decimalStringsRoundTrip() throws {
        for (text, cents) in [("0.00", 0), ("0.05", 5), ("1.05", 105), ("12.30", 1_230), ("-0.05", -5), ("999999.99", 99_999_999)] {
            let money = try Money(decimal: text)
            #expect(money.cents == Int64(cents))
            #expect(money.decimal == text)
        }
    }

    @Test func malformedAmountsAreRefusedWithTheirText() {
        for text in ["1.5", "1", "1.050", "1,05", "abc", "1e3", "-", "", ".50", "01.00", "+1.00", " 1.00", "1.0a", "99999999999999.99"] {
            #expect(throws: RetailError.self, "\"\(text)\" accepted") { try Money(decimal: text) }
        }
        #expect { try Money(decimal: "1.5") } throws: { ($0 as? RetailError)?.message.contains("\"1.5\"") == true }
    }

    @Test func arithmeticIsCheckedNeverWraps() throws {
        let big = try Money(cents: Money.limitCents)
        #expect(throws: RetailError.self) { try big.adding(Money(cents: 1)) }
        #expect(throws: RetailError.self) { try big.multiplied(by: 2) }
        #expect(throws: RetailError.self) { try Money(cents: 5).multiplied(by: Int64.max) }
        #expect(try Money(cents: 105).multiplied(by: 3).cents == 315)
    }

    @Test func roundingIsHalfAwayFromZeroAndSymmetric() {
        #expect(Rounding.halfAwayFromZero.divide(5, by: 10) == 1)
        #expect(Rounding.halfAwayFromZero.divide(-5, by: 10) == -1)
        #expect(Rounding.halfAwayFromZero.divide(4, by: 10) == 0)
        #expect(Rounding.halfAwayFromZero.divide(15, by: 10) == 2)
        #expect(Rounding.towardZero.divide(-19, by: 10) == -1)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            let n = Int64.random(in: -1_000_000...1_000_000, using: &generator)
            let d = Int64.random(in: 1...10_000, using: &generator)
            #expect(Rounding.halfAwayFromZero.divide(-n, by: d) == -Rounding.halfAwayFromZero.divide(n, by: d))
        }
    }
}

@Suite struct CivilTimeTests {
    @Test func parsesRFC3339WithOffsets() throws {
        #expect(try CivilTime.parse("2024-01-01T00:00:00+08:00") == 1_704_038_400_000)
        #expect(try CivilTime.parse("2023-12-31T16:00:00Z") == 1_704_038_400_000)
        #expect(try CivilTime.parse("2023-12-31T16:00:00.250Z") == 1_704_038_400_250)
        #expect(try CivilTime.parse("1970-01-01T00:00:00Z") == 0)
        #expect(try CivilTime.parse("2026-03-01T10:00:00-05:30") == 1_772_379_000_000)
        for bad in ["2024-02-30T00:00:00Z", "2024-01-01", "2024-01-01T25:00:00Z", "2024-01-01T00:00:00", "yesterday",
                    "2024-01-01T00:00:00+8:00", "2024-13-01T00:00:00Z"] {
            #expect(throws: RetailError.self, "\(bad) accepted") { try CivilTime.parse(bad) }
        }
    }

    @Test func singaporeDateFollowsUTCPlusEight() throws {
        #expect(CivilTime.singaporeDate(epochMs: try CivilTime.parse("2023-12-31T15:59:59Z")).description == "2023-12-31")
        #expect(CivilTime.singaporeDate(epochMs: try CivilTime.parse("2023-12-31T16:00:00Z")).description == "2024-01-01")
        #expect(CivilTime.singaporeDate(epochMs: -1).description == "1970-01-01")
    }

    @Test func daysRoundTripOverFourCenturies() {
        for days in stride(from: Int64(-200_000), through: 200_000, by: 37) {
            #expect(CivilTime.days(from: CivilTime.date(fromDays: days)) == days)
        }
        #expect(CivilTime.date(fromDays: 19_723).description == "2024-01-01")
        #expect(CivilTime.Date(iso: "2024-02-29") != nil && CivilTime.Date(iso: "2023-02-29") == nil)
    }
}
