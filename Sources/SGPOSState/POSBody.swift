import SGPOSChain
import SGPOSCodec

/// A POS transaction body: the application bodies (type ≥ 0x0100) of an outlet chain.
public enum POSBody: Hashable, Sendable {
    case sale(Sale)
    case refund(Refund)
    case void(SaleVoid)
    case setPrices(SetPrices)
    case configure(RetailSettings)
    case deployRule(DeployRule)
    case setPointRates(SetPointRates)
    case issueCoupons(IssueCoupons)
    case giftCardLoad(GiftCardLoad)
    case setMemberMultiplier(SetMemberMultiplier)
    case stockReceive(StockReceive)
    case stockAdjust(StockAdjust)
    case stockCount(StockCount)
    case transferOut(StockTransfer)
    case transferIn(StockTransfer)
    case applyRecall(ApplyRecall)
    case loyaltyEnrol(LoyaltyEnrol)
    case loyaltyAdjust(LoyaltyAdjust)
    case pointsClaim(PointsClaim)
    case pointsSettle(PointsSettle)
    case shiftOpen(ShiftOpen)
    case cashIn(CashMovement)
    case cashOut(CashMovement)
    case shiftClose(ShiftClose)
    case dayClose(DayClose)
    case drawerOpen(DrawerOpen)

    public var typeCode: UInt16 {
        switch self {
        case .sale: POSBodyType.sale
        case .refund: POSBodyType.refund
        case .void: POSBodyType.void
        case .setPrices: POSBodyType.setPrices
        case .configure: POSBodyType.configure
        case .deployRule: POSBodyType.deployRule
        case .setPointRates: POSBodyType.setPointRates
        case .issueCoupons: POSBodyType.issueCoupons
        case .giftCardLoad: POSBodyType.giftCardLoad
        case .setMemberMultiplier: POSBodyType.setMemberMultiplier
        case .stockReceive: POSBodyType.stockReceive
        case .stockAdjust: POSBodyType.stockAdjust
        case .stockCount: POSBodyType.stockCount
        case .transferOut: POSBodyType.transferOut
        case .transferIn: POSBodyType.transferIn
        case .applyRecall: POSBodyType.applyRecall
        case .loyaltyEnrol: POSBodyType.loyaltyEnrol
        case .loyaltyAdjust: POSBodyType.loyaltyAdjust
        case .pointsClaim: POSBodyType.pointsClaim
        case .pointsSettle: POSBodyType.pointsSettle
        case .shiftOpen: POSBodyType.shiftOpen
        case .cashIn: POSBodyType.cashIn
        case .cashOut: POSBodyType.cashOut
        case .shiftClose: POSBodyType.shiftClose
        case .dayClose: POSBodyType.dayClose
        case .drawerOpen: POSBodyType.drawerOpen
        }
    }

    /// Canonical bytes (docs/FORMAT.md §13.2).
    public var payloadBytes: [UInt8] {
        var encoder = CanonicalEncoder(capacity: 256)
        switch self {
        case .sale(let body): body.encode(to: &encoder)
        case .refund(let body): body.encode(to: &encoder)
        case .void(let body): body.encode(to: &encoder)
        case .setPrices(let body): body.encode(to: &encoder)
        case .configure(let body): body.encode(to: &encoder)
        case .deployRule(let body): body.encode(to: &encoder)
        case .setPointRates(let body): body.encode(to: &encoder)
        case .issueCoupons(let body): body.encode(to: &encoder)
        case .giftCardLoad(let body): body.encode(to: &encoder)
        case .setMemberMultiplier(let body): body.encode(to: &encoder)
        case .stockReceive(let body): body.encode(to: &encoder)
        case .stockAdjust(let body): body.encode(to: &encoder)
        case .stockCount(let body): body.encode(to: &encoder)
        case .transferOut(let body), .transferIn(let body): body.encode(to: &encoder)
        case .applyRecall(let body): body.encode(to: &encoder)
        case .loyaltyEnrol(let body): body.encode(to: &encoder)
        case .loyaltyAdjust(let body): body.encode(to: &encoder)
        case .pointsClaim(let body): body.encode(to: &encoder)
        case .pointsSettle(let body): body.encode(to: &encoder)
        case .shiftOpen(let body): body.encode(to: &encoder)
        case .cashIn(let body), .cashOut(let body): body.encode(to: &encoder)
        case .shiftClose(let body): body.encode(to: &encoder)
        case .dayClose(let body): body.encode(to: &encoder)
        case .drawerOpen(let body): body.encode(to: &encoder)
        }
        return encoder.bytes
    }

    /// The envelope body carrying this POS body.
    public var transactionBody: TransactionBody { .application(type: typeCode, payload: payloadBytes) }

    /// Decodes a POS body; rejects unknown types, bad versions and trailing bytes.
    public static func decode(type: UInt16, payload: [UInt8]) throws(CodecError) -> POSBody {
        var decoder = CanonicalDecoder(payload)
        let body: POSBody
        switch type {
        case POSBodyType.sale: body = .sale(try Sale(from: &decoder))
        case POSBodyType.refund: body = .refund(try Refund(from: &decoder))
        case POSBodyType.void: body = .void(try SaleVoid(from: &decoder))
        case POSBodyType.setPrices: body = .setPrices(try SetPrices(from: &decoder))
        case POSBodyType.configure: body = .configure(try RetailSettings(from: &decoder))
        case POSBodyType.deployRule: body = .deployRule(try DeployRule(from: &decoder))
        case POSBodyType.setPointRates: body = .setPointRates(try SetPointRates(from: &decoder))
        case POSBodyType.issueCoupons: body = .issueCoupons(try IssueCoupons(from: &decoder))
        case POSBodyType.giftCardLoad: body = .giftCardLoad(try GiftCardLoad(from: &decoder))
        case POSBodyType.setMemberMultiplier: body = .setMemberMultiplier(try SetMemberMultiplier(from: &decoder))
        case POSBodyType.stockReceive: body = .stockReceive(try StockReceive(from: &decoder))
        case POSBodyType.stockAdjust: body = .stockAdjust(try StockAdjust(from: &decoder))
        case POSBodyType.stockCount: body = .stockCount(try StockCount(from: &decoder))
        case POSBodyType.transferOut: body = .transferOut(try StockTransfer(from: &decoder))
        case POSBodyType.transferIn: body = .transferIn(try StockTransfer(from: &decoder))
        case POSBodyType.applyRecall: body = .applyRecall(try ApplyRecall(from: &decoder))
        case POSBodyType.loyaltyEnrol: body = .loyaltyEnrol(try LoyaltyEnrol(from: &decoder))
        case POSBodyType.loyaltyAdjust: body = .loyaltyAdjust(try LoyaltyAdjust(from: &decoder))
        case POSBodyType.pointsClaim: body = .pointsClaim(try PointsClaim(from: &decoder))
        case POSBodyType.pointsSettle: body = .pointsSettle(try PointsSettle(from: &decoder))
        case POSBodyType.shiftOpen: body = .shiftOpen(try ShiftOpen(from: &decoder))
        case POSBodyType.cashIn: body = .cashIn(try CashMovement(from: &decoder))
        case POSBodyType.cashOut: body = .cashOut(try CashMovement(from: &decoder))
        case POSBodyType.shiftClose: body = .shiftClose(try ShiftClose(from: &decoder))
        case POSBodyType.dayClose: body = .dayClose(try DayClose(from: &decoder))
        case POSBodyType.drawerOpen: body = .drawerOpen(try DrawerOpen(from: &decoder))
        default: throw .unknownTag("body type 0x\(String(type, radix: 16)) is not a POS body", at: 0)
        }
        try decoder.finish("\(POSBodyType.name(type)) body")
        return body
    }
}
