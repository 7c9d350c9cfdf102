import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSRetail
import SGPOSState

/// One outlet's state in memory with the POS state machine, a price list, two tills and
/// an operator: what the state-machine tests drive. Every transaction goes through
/// ``ChainRules`` exactly as in a block; a rejected one changes nothing.
public struct ShopFixture {
    public let network: TestNetwork
    public let outlet: OutletID
    public private(set) var state = MemoryState()
    public let till: SigningKey
    public let till2: SigningKey
    public let manager: SigningKey
    /// Ledger time; tests move it forward.
    public var timeMs: Int64
    private var sequences: [PublicKey: UInt64] = [:]
    private var height: UInt64 = 0
    /// Every transaction applied, in order (tests that put them into a store's blocks).
    public private(set) var log: [SignedTransaction] = []
    public let rules = POSRules.chainRules

    /// 2026-03-02 10:00 Singapore.
    public static let defaultTimeMs: Int64 = 1_772_416_800_000

    public init(network: TestNetwork = TestNetwork(), outlet: OutletID = 1, timeMs: Int64 = ShopFixture.defaultTimeMs,
                prices: [PriceEntry] = ShopFixture.defaultPrices) throws {
        self.network = network
        self.outlet = outlet
        self.timeMs = timeMs
        till = TestNetwork.key("till-1@\(outlet)")
        till2 = TestNetwork.key("till-2@\(outlet)")
        manager = TestNetwork.key("manager@\(outlet)")
        state.apply(network.genesis.initialWrites)
        try submitChain(network.admin, .registerKey(RegisterKey(key: till.publicKey, role: .till, principal: "till-1")))
        try submitChain(network.admin, .registerKey(RegisterKey(key: till2.publicKey, role: .till, principal: "till-2")))
        try submitChain(network.admin, .registerKey(RegisterKey(key: manager.publicKey, role: .operator, principal: "manager")))
        try submit(.manager, .setPrices(SetPrices(entries: prices)))
    }

    public static let defaultPrices: [PriceEntry] = [
        PriceEntry(sku: "MILK", category: "dairy", unitPrice: 365),
        PriceEntry(sku: "BREAD", category: "bakery", unitPrice: 289),
        PriceEntry(sku: "CHIPS", category: "snacks", unitPrice: 105),
        PriceEntry(sku: "RICE5KG", category: "staples", unitPrice: 1_390),
        PriceEntry(sku: "TV55", category: "electronics", unitPrice: 129_900),
        PriceEntry(sku: "PEN", category: "stationery", unitPrice: 99),
    ]

    /// Who signs in a test.
    public enum Signer: Sendable { case till, till2, manager, admin }

    /// The principal a signer's key is registered under.
    public static func principal(_ signer: Signer) -> String {
        switch signer {
        case .till: "till-1"
        case .till2: "till-2"
        case .manager: "manager"
        case .admin: "hq"
        }
    }

    public func key(_ signer: Signer) -> SigningKey {
        switch signer {
        case .till: till
        case .till2: till2
        case .manager: manager
        case .admin: network.admin
        }
    }

    /// Applies a POS body signed by `signer`; returns the transaction.
    @discardableResult
    public mutating func submit(_ signer: Signer, _ body: POSBody) throws -> SignedTransaction {
        try submitChain(key(signer), body.transactionBody)
    }

    /// Applies any transaction body signed by `signer`.
    @discardableResult
    public mutating func submitChain(_ signer: Signer, _ body: TransactionBody) throws -> SignedTransaction {
        try submitChain(key(signer), body)
    }

    /// Applies any transaction body signed by `signer`.
    @discardableResult
    public mutating func submitChain(_ signer: SigningKey, _ body: TransactionBody) throws -> SignedTransaction {
        let sequence = (sequences[signer.publicKey] ?? 0) + 1
        let transaction = network.transaction(signer, sequence: sequence, outlet: outlet, body: body,
                                              timestampMs: TimestampMs(timeMs))
        try apply(transaction)
        sequences[signer.publicKey] = sequence
        return transaction
    }

    /// Replaces the state (tests that merge two outlets' states).
    public mutating func replaceState(_ newState: MemoryState) { state = newState }

    /// Applies a ready-made transaction (tests of replays and tampering).
    public mutating func apply(_ transaction: SignedTransaction) throws {
        height += 1
        let context = BlockContext(genesis: network.genesis, outletID: outlet, height: height, timestampMs: TimestampMs(timeMs))
        var overlay = StateOverlay(base: state)
        try rules.apply(transaction, context: context, state: &overlay)
        state.apply(overlay.writes)
        log.append(transaction)
    }

    public func calculator() throws -> SaleCalculator {
        try SaleCalculator(genesis: network.genesis, outlet: outlet, settings: try state.retailSettings())
    }

    /// How a test pays.
    public enum Payment {
        /// Cash: exact, or `tendered` cents with change.
        case cash(tendered: Int64? = nil)
        case card
        case nets
        case payNow
        case voucher(String)
    }

    /// Builds the sale the state machine expects (next receipt number, priced now).
    public func makeSale(_ lines: [(String, Int64)], member: String = "", redeem: Int64 = 0, training: Bool = false,
                         codes: [String] = [], payment: Payment = .cash(), signer: Signer = .till) throws -> Sale {
        let calculator = try calculator()
        let priced = try calculator.price(lines: lines.map { StockLine(sku: $0.0, quantity: $0.1) }, memberID: member,
                                          redeemPoints: redeem, atMs: timeMs, state: state, codes: codes)
        let receipt = (try state.shift(outlet: outlet, till: ShopFixture.principal(signer))?.lastReceiptNumber ?? 0) + 1
        var tenders: [Tender] = []
        if priced.quote.pointsTender.cents > 0 {
            tenders.append(.points(points: redeem, amount: priced.quote.pointsTender.cents))
        }
        // Rounding depends on whether cash is among the tenders: price once with a
        // placeholder tender of the right kind, then fill in the amount.
        let isCash: Bool
        if case .cash = payment { isCash = true } else { isCash = false }
        let probe = try calculator.sale(priced, receiptNumber: receipt, training: training,
                                        tenders: tenders + (isCash ? [.cash(tendered: 1, change: 0)] : []))
        let due = probe.amountPayable - priced.quote.pointsTender.cents
        if due > 0 {
            switch payment {
            case .cash(let tendered):
                let given = tendered ?? due
                tenders.append(.cash(tendered: given, change: given - due))
            case .card:
                tenders.append(.card(CardPayment(amount: due, terminalID: "T0001", approvalCode: "A1B2C3",
                                                 rrn: "123456789012", maskedPAN: "411111******1111", scheme: "visa")))
            case .nets:
                tenders.append(.nets(CardPayment(amount: due, terminalID: "N0001", approvalCode: "000123",
                                                 rrn: "998877665544", maskedPAN: "************4321", scheme: "nets")))
            case .payNow:
                tenders.append(.payNow(amount: due, payloadHash: Hash256.sha256(Array("qr".utf8)),
                                       billReference: "R\(receipt)", confirmationSource: "bank-notification"))
            case .voucher(let id):
                tenders.append(.voucher(id: id, amount: due))
            }
        }
        return try calculator.sale(priced, receiptNumber: receipt, training: training, tenders: tenders)
    }

    /// Makes and submits a sale from `till` (default the first till).
    @discardableResult
    public mutating func sell(_ lines: [(String, Int64)], member: String = "", redeem: Int64 = 0, training: Bool = false,
                              codes: [String] = [], payment: Payment = .cash(), by signer: Signer = .till) throws -> (SignedTransaction, Sale) {
        let sale = try makeSale(lines, member: member, redeem: redeem, training: training, codes: codes, payment: payment, signer: signer)
        return (try submit(signer, .sale(sale)), sale)
    }

    /// Opens a shift on `signer` (default the first till) with a float.
    public mutating func openShift(_ signer: Signer = .till, float: Int64 = 20_000) throws {
        try submit(signer, .shiftOpen(ShiftOpen(float: float)))
    }

    /// Closes `signer`'s shift with the exact expected cash (or `counted`).
    public mutating func closeShift(_ signer: Signer = .till, counted: Int64? = nil) throws {
        let principal = signer == .till2 ? "till-2" : "till-1"
        let expected = try state.shift(outlet: outlet, till: principal)!.expectedCash
        let count = counted ?? expected
        try submit(signer, .shiftClose(ShiftClose(counted: count, expected: expected, variance: count - expected)))
    }

    /// The refund the state machine expects for `units` of each (line index, quantity).
    public func makeRefund(of saleID: Hash256, _ units: [(UInt32, Int64)], restock: Bool = true,
                           cashBack: Bool = true, by: Signer = .till) throws -> Refund {
        let record = try state.saleRecord(saleID)!
        var lines: [RefundLine] = []
        var amount: Int64 = 0
        var gst: Int64 = 0
        var scratch = record
        for (index, quantity) in units {
            let sold = scratch.lines[Int(index)]
            let isLast = quantity == sold.quantity - sold.refundedQuantity
            let lineAmount = isLast ? sold.amount - sold.refundedAmount : roundHalfUp(sold.amount * quantity, sold.quantity)
            let lineGST = isLast ? sold.gst - sold.refundedGST : roundHalfUp(sold.gst * quantity, sold.quantity)
            scratch.lines[Int(index)].refundedQuantity += quantity
            scratch.lines[Int(index)].refundedAmount += lineAmount
            scratch.lines[Int(index)].refundedGST += lineGST
            lines.append(RefundLine(lineIndex: index, quantity: quantity, amount: lineAmount, gst: lineGST))
            amount += lineAmount
            gst += lineGST
        }
        let full = scratch.lines.allSatisfy { $0.refundedQuantity == $0.quantity }
        let left = record.pointsEarned - record.pointsReversed
        let reversed = full ? left : min(left, record.total == 0 ? 0 : record.pointsEarned * amount / record.total)
        let tender: Tender = cashBack ? .cash(tendered: amount, change: 0)
            : .card(CardPayment(amount: amount, terminalID: "T0001", approvalCode: "R00001", rrn: "000000000001",
                                maskedPAN: "************1111", scheme: "visa"))
        let number = (try state.shift(outlet: outlet, till: ShopFixture.principal(by))?.lastCreditNoteNumber ?? 0) + 1
        return Refund(originalSale: saleID, creditNoteNumber: number, reason: "returned goods", restock: restock,
                      lines: lines, gstBasisPoints: record.gstBasisPoints, amount: amount, gst: gst,
                      pointsReversed: reversed, tenders: amount > 0 ? [tender] : [])
    }
}

/// Half away from zero for non-negative operands (an independent rewrite of the rule).
func roundHalfUp(_ numerator: Int64, _ denominator: Int64) -> Int64 { (numerator * 2 + denominator) / (denominator * 2) }
