import SGPOSChain
import SGPOSCodec
import SGPOSContracts
import SGPOSCrypto

/// Single-use coupon codes issued in a batch (FORMAT.md §13.2 "issue-coupons"): only each
/// code's SHA-256 goes on chain, so a code is secret until a customer uses it; a
/// `coupon "CAMPAIGN"` rule runs only when one of its campaign is keyed in, and uses it.
public struct IssueCoupons: Hashable, Sendable {
    public static let hashesMax = 1_000
    /// Days since 1970-01-01: the latest valid-until an issue may name (year 4707).
    public static let dayMax: Int64 = 1_000_000
    public var campaign: String
    /// The member the coupons are for; empty: anyone.
    public var memberID: String
    /// Singapore days since 1970-01-01, both included.
    public var validFrom: Int64
    public var validUntil: Int64
    /// SHA-256 of each code's UTF-8 bytes.
    public var codeHashes: [Hash256]

    public init(campaign: String, memberID: String, validFrom: Int64, validUntil: Int64, codeHashes: [Hash256]) {
        self.campaign = campaign
        self.memberID = memberID
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.codeHashes = codeHashes
    }
}

extension IssueCoupons {
    func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(campaign, limit: 32)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(validFrom)
        encoder.writeI64(validUntil)
        encoder.writeCount(codeHashes.count, limit: Self.hashesMax)
        for hash in codeHashes { hash.encode(to: &encoder) }
    }

    init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "issue-coupons")
        campaign = try decoder.readString("coupon campaign", limit: 32)
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        validFrom = try decoder.readI64("valid from")
        validUntil = try decoder.readI64("valid until")
        var hashes: [Hash256] = []
        for _ in 0..<(try decoder.readCount("coupon code hashes", limit: Self.hashesMax)) { hashes.append(try Hash256(from: &decoder)) }
        codeHashes = hashes
    }
}

/// A coupon in the state (FORMAT.md §13.3 `coupons`).
public struct CouponRecord: Hashable, Sendable, CanonicalEncodable, CanonicalDecodable {
    public var campaign: String
    public var memberID: String
    public var validFrom: Int64
    public var validUntil: Int64
    /// The transaction that issued it (an issue-coupons body or a sale's `issues` rule).
    public var issuedBy: Hash256
    /// The sale that used it; all zero while unused.
    public var usedBy: Hash256

    public static let unused = Hash256(bytes: [UInt8](repeating: 0, count: 32))!

    public var isUsed: Bool { usedBy != Self.unused }

    public init(campaign: String, memberID: String, validFrom: Int64, validUntil: Int64, issuedBy: Hash256, usedBy: Hash256 = unused) {
        self.campaign = campaign
        self.memberID = memberID
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.issuedBy = issuedBy
        self.usedBy = usedBy
    }

    public func encode(to encoder: inout CanonicalEncoder) {
        encoder.writeU8(1)
        encoder.writeString(campaign, limit: 32)
        encoder.writeString(memberID, limit: POSLimits.memberIDBytesMax)
        encoder.writeI64(validFrom)
        encoder.writeI64(validUntil)
        issuedBy.encode(to: &encoder)
        usedBy.encode(to: &encoder)
    }

    public init(from decoder: inout CanonicalDecoder) throws(CodecError) {
        try readVersion(&decoder, "coupon record")
        campaign = try decoder.readString("coupon campaign", limit: 32)
        memberID = try decoder.readString("member id", limit: POSLimits.memberIDBytesMax)
        validFrom = try decoder.readI64("valid from")
        validUntil = try decoder.readI64("valid until")
        issuedBy = try Hash256(from: &decoder)
        usedBy = try Hash256(from: &decoder)
    }
}

/// Coupon codes: the state key of a code, and the code of a coupon a sale issues.
public enum CouponCode {
    /// `coupons` key: SHA-256 of the code's UTF-8 bytes.
    public static func hash(_ code: String) -> Hash256 { Hash256.sha256(Array(code.utf8)) }

    /// The code of the `index`-th coupon (0-based) a sale issues: `C` and the first 12
    /// upper-case hex digits of SHA-256(transaction id ‖ u32 index).
    public static func issued(by sale: Hash256, index: UInt32) -> String {
        var bytes = sale.bytes
        bytes += [UInt8(index >> 24), UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)]
        return "C" + Hex.encode(Array(Hash256.sha256(bytes).bytes.prefix(6))).uppercased()
    }
}

extension StateKey {
    public static func coupon(_ hash: Hash256) -> StateKey { StateKey(.coupons, hash.bytes) }
    /// The coupon codes a sale used (so a void can give them back).
    public static func saleCoupons(_ sale: Hash256) -> StateKey { StateKey(.saleCoupons, sale.bytes) }
}

extension StateReader {
    public func coupon(code: String) throws -> CouponRecord? { try record(CouponRecord.self, .coupon(CouponCode.hash(code))) }

    /// The coupon codes a sale used, in the order used.
    public func couponsUsed(by sale: Hash256) throws -> [String] {
        guard let bytes = try read(.saleCoupons(sale)) else { return [] }
        var decoder = CanonicalDecoder(bytes)
        let codes = try readCodes(&decoder)
        try decoder.finish("sale coupons")
        return codes
    }

    /// The coupons a sale issued, in order: k = 0, 1, … while the record exists and names it.
    public func couponsIssued(by sale: Hash256) throws -> [(code: String, record: CouponRecord)] {
        var issued: [(code: String, record: CouponRecord)] = []
        for index in 0..<UInt32(1_024) {
            let code = CouponCode.issued(by: sale, index: index)
            guard let record = try coupon(code: code), record.issuedBy == sale else { break }
            issued.append((code, record))
        }
        return issued
    }
}

extension POSTransition {
    mutating func issueCoupons(_ body: IssueCoupons, _ state: inout StateOverlay) throws {
        try require([.operator, .admin], "a coupon issue")
        guard CompiledRule.isCode(body.campaign) else {
            throw reject(.invalidField, "coupon campaign \"\(body.campaign)\" must be 1-32 printable ASCII characters without spaces")
        }
        if !body.memberID.isEmpty { _ = try member(body.memberID, state) }
        guard 0 <= body.validFrom, body.validFrom <= body.validUntil, body.validUntil <= IssueCoupons.dayMax else {
            throw reject(.invalidField, "coupons are valid from day \(body.validFrom) until day \(body.validUntil): need 0 <= from <= until <= \(IssueCoupons.dayMax)")
        }
        guard (1...IssueCoupons.hashesMax).contains(body.codeHashes.count) else {
            throw reject(.invalidField, "a coupon issue names 1...\(IssueCoupons.hashesMax) code hashes, got \(body.codeHashes.count)")
        }
        var seen: Set<Hash256> = []
        for hash in body.codeHashes {
            guard seen.insert(hash).inserted, try state.read(.coupon(hash)) == nil else {
                throw reject(.voucherAlreadyRedeemed, "coupon \(hash) is issued already")
            }
        }
        for hash in body.codeHashes {
            state.store(CouponRecord(campaign: body.campaign, memberID: body.memberID, validFrom: body.validFrom,
                                     validUntil: body.validUntil, issuedBy: transactionID), at: .coupon(hash))
        }
    }

    /// A sale's coupon effects (FORMAT.md §13.5 sale, *Coupons*): each applied `coupon`
    /// rule uses the first of the sale's coupon codes of its campaign not used yet; each
    /// applied `issues` rule issues a coupon for the sale's member.
    func applyCoupons(_ sale: Sale, _ priced: SaleCalculator.PricedBasket, _ state: inout StateOverlay) throws {
        var used: [String] = []
        var issued: UInt32 = 0
        for rule in priced.couponRules {
            if let campaign = rule.coupon,
               let code = priced.coupons.first(where: { coupon in !used.contains(coupon.code) && Array(coupon.campaign.utf8) == Array(campaign.utf8) })?.code {
                used.append(code)
                guard var record = try state.coupon(code: code) else { continue }
                record.usedBy = transactionID
                state.store(record, at: .coupon(CouponCode.hash(code)))
            }
            if let issues = rule.issues {
                let code = CouponCode.issued(by: transactionID, index: issued)
                issued += 1
                let key = StateKey.coupon(CouponCode.hash(code))
                guard try state.read(key) == nil else { continue }
                let day = SaleCalculator.day(atMs)
                state.store(CouponRecord(campaign: issues.campaign, memberID: sale.memberID, validFrom: day,
                                         validUntil: day + issues.days, issuedBy: transactionID), at: key)
            }
        }
        if !used.isEmpty {
            var encoder = CanonicalEncoder()
            writeCodes(used, to: &encoder)
            state.put(.saleCoupons(transactionID), encoder.bytes)
        }
    }

    /// A void gives the sale's coupons back and withdraws the unused ones it issued.
    func voidCoupons(_ original: Hash256, _ state: inout StateOverlay) throws {
        let used = try state.couponsUsed(by: original)
        for code in used {
            guard var record = try state.coupon(code: code), record.usedBy == original else { continue }
            record.usedBy = CouponRecord.unused
            state.store(record, at: .coupon(CouponCode.hash(code)))
        }
        if !used.isEmpty { state.put(.saleCoupons(original), nil) }
        for issued in try state.couponsIssued(by: original) where !issued.record.isUsed {
            state.put(.coupon(CouponCode.hash(issued.code)), nil)
        }
    }
}
