import SGPOSRetail
import Testing

@Suite struct PayNowPayloadTests {
    @Test func crcIsCCITTFalse() {
        // The catalogue check value of CRC-16/CCITT-FALSE.
        #expect(PayNowPayload.crc16(Array("123456789".utf8)) == 0x29B1)
        #expect(PayNowPayload.crc16([]) == 0xFFFF)
    }

    @Test func aFixedAmountPayloadIsExactlyTheFieldsInOrder() throws {
        let payload = try PayNowPayload(proxy: .uen("201403121W"), amount: try Money(decimal: "12.30"),
                                        merchantName: "SGPOS MART", reference: "R-0001", expiry: "20261231")
        // Built by hand from the rules (ID, two-digit length, value):
        let expected = "000201"                       // 00 payload format "01"
            + "010212"                                // 01 dynamic "12"
            + "2649"                                  // 26 merchant account, 13 + 5 + 14 + 5 + 12 = 49 bytes:
            + "0009SG.PAYNOW"                         //    00 "SG.PAYNOW"
            + "01012"                                 //    01 proxy type 2 (UEN)
            + "0210201403121W"                        //    02 the UEN
            + "03010"                                 //    03 not editable
            + "040820261231"                          //    04 expiry
            + "52040000"                              // 52 category
            + "5303702"                               // 53 SGD
            + "540512.30"                             // 54 amount
            + "5802SG"                                // 58 country
            + "5910SGPOS MART"                        // 59 name
            + "6009Singapore"                         // 60 city
            + "6210" + "0106R-0001"                   // 62 additional data, 01 reference
            + "6304" + "A8BC"                         // 63 CRC (computed independently: Python binascii.crc_hqx(…, 0xFFFF))
        #expect(payload.payload == expected)
    }

    @Test func mobileProxyWithoutReferenceOrExpiry() throws {
        let payload = try PayNowPayload(proxy: .mobile("+6591234567"), amount: try Money(cents: 5),
                                        merchantName: "Kopi Stall", editable: true)
        let text = payload.payload
        let account: String = "0009SG.PAYNOW" + "01010" + "0211+6591234567" + "03011"  // 13 + 5 + 15 + 5 = 38
        let rest: String = "52040000" + "5303702" + "54040.05" + "5802SG" + "5910Kopi Stall" + "6009Singapore" + "6304"
        let prefix: String = "000201" + "010212" + "2638" + account + rest
        #expect(text.hasPrefix(prefix))
        #expect(!text.contains("6210"))
        _ = try PayNowPayload.verifiedFields(of: text)
    }

    @Test func theTLVStructureParsesBack() throws {
        let payload = try PayNowPayload(proxy: .uen("T08GB0001A"), amount: try Money(decimal: "1234.05"),
                                        merchantName: "SGPOS Outlet 7", reference: "INV-2026-000042")
        let fields = try PayNowPayload.verifiedFields(of: payload.payload)
        #expect(fields.map(\.id) == ["00", "01", "26", "52", "53", "54", "58", "59", "60", "62", "63"])
        let byID = Dictionary(uniqueKeysWithValues: fields.map { ($0.id, $0.value) })
        #expect(byID["54"] == "1234.05" && byID["59"] == "SGPOS Outlet 7" && byID["60"] == "Singapore")
        let account = try PayNowPayload.fields(of: byID["26"]!)
        #expect(account.map(\.id) == ["00", "01", "02", "03"])
        #expect(account.map(\.value) == ["SG.PAYNOW", "2", "T08GB0001A", "0"])
        #expect(try PayNowPayload.fields(of: byID["62"]!) == [PayNowPayload.Field(id: "01", value: "INV-2026-000042")])
        // One changed character breaks the CRC.
        var tampered = Array(payload.payload.utf8)
        tampered[tampered.count - 20] ^= 0x01
        #expect { try PayNowPayload.verifiedFields(of: String(decoding: tampered, as: UTF8.self)) } throws: {
            ($0 as? PayNowError)?.code == 1207
        }
        #expect { try PayNowPayload.fields(of: "0005ab") } throws: { ($0 as? PayNowError)?.code == 1206 }
    }

    @Test func invalidValuesAreRefusedWithStableCodes() throws {
        let amount = try Money(decimal: "1.00")
        func code(_ make: () throws -> PayNowPayload) -> UInt16? {
            do { _ = try make(); return nil } catch let error as PayNowError { return error.code } catch { return 0 }
        }
        #expect(code { try PayNowPayload(proxy: .mobile("91234567"), amount: amount, merchantName: "A") } == 1200)
        #expect(code { try PayNowPayload(proxy: .uen("abc"), amount: amount, merchantName: "A") } == 1200)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: .zero, merchantName: "A") } == 1201)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: try Money(cents: -100), merchantName: "A") } == 1201)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: try Money(cents: Money.limitCents), merchantName: "A") } == 1201)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: amount, merchantName: String(repeating: "A", count: 26)) } == 1202)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: amount, merchantName: "") } == 1202)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: amount, merchantName: "Café") } == 1202)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: amount, merchantName: "A", reference: String(repeating: "R", count: 26)) } == 1203)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: amount, merchantName: "A", expiry: "20260230") } == 1204)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: amount, merchantName: "A", expiry: "2026-12-31") } == 1204)
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: amount, merchantName: "A", expiry: "20280229") } == nil)
        // The largest amount field 54 holds.
        #expect(code { try PayNowPayload(proxy: .uen("201403121W"), amount: try Money(decimal: "9999999999.99"), merchantName: "A") } == nil)
    }
}
