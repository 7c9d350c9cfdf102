import SGPOSChain
import SGPOSCodec
import SGPOSRetail
import SGPOSState

/// One unit scanned from a GS1 barcode or DataMatrix (AI 01 GTIN, 10 lot, 17 expiry) and
/// the SKU it is at this outlet: what puts a lot on a sale line (FORMAT.md §13.6).
public struct ScannedUnit: Sendable, Hashable {
    public var sku: String
    public var gtin: String
    /// nil when the barcode carries no lot (AI 10): the unit is sold without one.
    public var lot: String?
    /// Days since 1970-01-01 of AI 17; 0 when the barcode has none.
    public var expiryDay: Int64
}

/// Reads GS1 scans into SKUs and lots, and a basket of scans into sale lines and lot entries.
public enum LotScan {
    /// Scans one request or sale may carry (a basket's units).
    public static let scansMax = 1_000
    static let gs1BytesMax = 128

    /// Reads a GS1 element string that names a GTIN (AI 01); refused as rule 17 (422), since
    /// no schema can say what a scanner may send.
    public static func read(_ text: String, atMs: Int64) throws -> GS1Scan {
        guard !text.isEmpty, text.utf8.count <= gs1BytesMax else {
            throw LedgerRejection(.invalidField, "a GS1 scan is 1-\(gs1BytesMax) bytes")
        }
        let scan: GS1Scan
        do {
            scan = try GS1ElementString.parse(text, today: CivilTime.singaporeDate(epochMs: atMs))
        } catch {
            throw LedgerRejection(.invalidField, "the scan is not a GS1 element string: \(error)")
        }
        guard scan.gtin != nil else { throw LedgerRejection(.invalidField, "the GS1 scan has no GTIN (AI 01)") }
        if let lot = scan.lot, !ProductRecall.isValidLot(lot) {
            throw LedgerRejection(.invalidField, "lot \"\(lot)\" must be 1-20 characters 0x21-0x7E")
        }
        return scan
    }

    /// The SKU of a scanned GTIN and lot at `outlet`: the SKU this outlet received (or sold)
    /// that lot as, else a price-list entry whose SKU is the GTIN itself (14 digits, or 13
    /// without the leading 0); nil when neither exists.
    public static func sku(gtin: String, lot: String?, outlet: UInt32, state: some StateReader) throws -> String? {
        if let lot, let record = try state.lotRecord(gtin: gtin, lot: lot) { return record.sku }
        for candidate in [gtin, String(gtin.dropFirst())] where try state.priceRecord(outlet: outlet, sku: candidate) != nil {
            return candidate
        }
        return nil
    }

    /// A scan as a unit of a SKU with its lot (``read`` then ``sku``); a GTIN the outlet
    /// cannot place is rule 17.
    public static func resolve(_ text: String, outlet: UInt32, atMs: Int64, state: some StateReader) throws -> ScannedUnit {
        let scan = try read(text, atMs: atMs)
        let gtin = scan.gtin!
        guard let sku = try sku(gtin: gtin, lot: scan.lot, outlet: outlet, state: state) else {
            throw LedgerRejection(.invalidField, "GTIN \(gtin)\(scan.lot.map { " lot \($0)" } ?? "") is not known at outlet \(outlet): the lot was not received here and no SKU is the GTIN; key in the item code")
        }
        return ScannedUnit(sku: sku, gtin: gtin, lot: scan.lot, expiryDay: scan.expiry.map(CivilTime.days(from:)) ?? 0)
    }

    /// Typed lines plus scanned units: each scan adds a unit to its SKU's line (a new line
    /// when the basket has none), and those with a lot become lot entries of that line.
    public static func basket(lines: [StockLine], scans: [ScannedUnit]) -> (lines: [StockLine], lots: [LotEntry]) {
        var lines = lines
        var counts: [LotKey: Int64] = [:]
        for unit in scans {
            let index = lines.firstIndex { $0.sku == unit.sku } ?? {
                lines.append(StockLine(sku: unit.sku, quantity: 0))
                return lines.count - 1
            }()
            lines[index].quantity += 1
            if let lot = unit.lot { counts[LotKey(line: UInt32(index), gtin: unit.gtin, lot: lot, expiry: unit.expiryDay), default: 0] += 1 }
        }
        // One entry per (line, GTIN, lot): the first expiry scanned for it.
        var entries: [String: LotEntry] = [:]
        for (key, count) in counts.sorted(by: { ($0.key.line, $0.key.gtin, $0.key.lot, $0.key.expiry) < ($1.key.line, $1.key.gtin, $1.key.lot, $1.key.expiry) }) {
            let id = "\(key.line)\u{0}\(key.gtin)\u{0}\(key.lot)"
            if entries[id] == nil {
                entries[id] = LotEntry(lineIndex: key.line, gtin: key.gtin, lot: key.lot, expiryDay: key.expiry, quantity: count)
            } else {
                entries[id]!.quantity += count
            }
        }
        return (lines, LotEntry.canonical(Array(entries.values)))
    }

    struct LotKey: Hashable {
        var line: UInt32
        var gtin: String
        var lot: String
        var expiry: Int64
    }
}
