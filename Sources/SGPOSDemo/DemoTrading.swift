import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSNode
import SGPOSOperations
import SGPOSState
import SGPOSTill
import SGPOSClient

/// One simulated till selling through its node's HTTP API: the node prepares the exact
/// sale body (priced from its price list), the till checks it and signs it with its own
/// key, and submits it; the answer comes once the block is durable. A refund now and then.
struct TillWorker: Sendable {
    let outlet: OutletID
    var session: TillSession
    let client: NodeClient
    let members: [String]
    let seed: UInt64

    struct Result: Sendable {
        var sales = 0
        var refunds = 0
        var failures: [String] = []
        var latenciesMs: [Double] = []
        var salesTotal: Int64 = 0
        var firstSale: (transactionID: Hash256, height: UInt64)?
        /// The session after the run (its next sequence number).
        var session: TillSession?
    }

    mutating func run(sales count: Int, progress: DemoProgress) async -> Result {
        var random = SplitMix(seed: seed)
        var result = Result()
        var committed: [(id: Hash256, lines: Int, cash: Bool)] = []
        for _ in 0..<count {
            do {
                if random.next() % 12 == 0, let pick = committed.randomElement(using: &random) {
                    let line: UInt32 = 1 + UInt32(random.next() % UInt64(pick.lines))
                    let refundPayment: API.Payment = pick.cash ? API.Payment(kind: "cash") : TillWorker.card
                    let refundLines: [API.PrepareRequest.RefundLine] = [API.PrepareRequest.RefundLine(line: line, qty: 1)]
                    let request = API.PrepareRequest(
                        kind: "refund", till: session.principal, payment: refundPayment, sale: pick.id.hex,
                        refundLines: refundLines, reason: "customer return", restock: true)
                    if let prepared = try? await client.prepare(request) {
                        _ = try await sign(prepared, expecting: POSBodyType.refund, result: &result)
                        result.refunds += 1
                        continue
                    }
                }
                let lines = (0..<(1 + Int(random.next() % 4))).map { _ in
                    API.QuoteRequest.Line(sku: DemoShop.traded[Int(random.next() % UInt64(DemoShop.traded.count))].sku, qty: 1 + Int64(random.next() % 3))
                }
                let deduplicated = lines.reduce(into: [API.QuoteRequest.Line]()) { all, line in
                    if !all.contains(where: { $0.sku == line.sku }) { all.append(line) }
                }
                let payments = [API.Payment(kind: "cash"), API.Payment(kind: "cash", tendered: "100.00"), TillWorker.card,
                                API.Payment(kind: "nets", terminalId: "NETS01", approvalCode: "004217", rrn: "000000004217",
                                            maskedPan: "************5678"),
                                API.Payment(kind: "paynow", billReference: "B\(random.next() % 1_000_000)")]
                var payment = payments[Int(random.next() % UInt64(payments.count))]
                let member = random.next() % 2 == 0 ? members[Int(random.next() % UInt64(members.count))] : nil
                var request = API.PrepareRequest(kind: "sale", till: session.principal, lines: deduplicated, memberId: member,
                                                 payment: payment)
                var prepared: API.PrepareResponse
                do {
                    prepared = try await client.prepare(request)
                } catch let failure as NodeClient.Failure where failure.problem?.code == Int(LedgerRejection.Reason.tendersMismatch.rawValue) {
                    payment = API.Payment(kind: "cash")  // S$100 was not enough: exact cash instead
                    request.payment = payment
                    prepared = try await client.prepare(request)
                }
                let (response, sale) = try await sign(prepared, expecting: POSBodyType.sale, result: &result)
                result.sales += 1
                result.salesTotal += sale?.total ?? 0
                if result.firstSale == nil { result.firstSale = (Hash256(hex: response.transactionId)!, response.height) }
                committed.append((Hash256(hex: response.transactionId)!, deduplicated.count, payment.kind == "cash"))
                await progress.sold(outlet: outlet)
            } catch {
                result.failures.append("outlet \(outlet) \(session.principal): \(error)")
                if result.failures.count > 5 { break }
            }
        }
        result.session = session
        return result
    }

    /// Checks the prepared body is what was asked for, signs it, submits it (idempotent
    /// retries inside the client), and records the latency.
    private mutating func sign(_ prepared: API.PrepareResponse, expecting type: UInt16,
                               result: inout Result) async throws -> (API.SubmitResponse, Sale?) {
        guard prepared.bodyType == type, let payload = Hex.decode(prepared.body) else {
            throw CLIError("the node prepared a body of type \(prepared.bodyType), expected \(type)")
        }
        let body = try POSBody.decode(type: type, payload: payload)
        var sale: Sale?
        if case .sale(let decoded) = body { sale = decoded }
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let transaction = session.sign(body, atMs: now)
        let started = Date()
        let response = try await client.submit(transaction)
        result.latenciesMs.append(Date().timeIntervalSince(started) * 1_000)
        guard response.transactionId == transaction.id.hex else { throw CLIError("the node answered for another transaction") }
        return (response, sale)
    }

    static let card = API.Payment(kind: "card", terminalId: "VISA0001", approvalCode: "A1B2C3", rrn: "431512345678",
                                  maskedPan: "411111******1111", scheme: "visa")
}

/// Live progress: sales per outlet, printed about once a second.
actor DemoProgress {
    private var sold: [OutletID: Int] = [:]
    private var partitioned: OutletID?
    let target: Int

    init(target: Int) { self.target = target }

    func sold(outlet: OutletID) { sold[outlet, default: 0] += 1 }
    func setPartitioned(_ outlet: OutletID?) { partitioned = outlet }
    func total() -> Int { sold.values.reduce(0, +) }

    func line() -> String {
        let parts = sold.keys.sorted().map { "o\($0) \(sold[$0]!)" }.joined(separator: "  ")
        return "   selling: \(parts)  (\(total())/\(target))" + (partitioned.map { "  | outlet \($0) cut off, still selling" } ?? "")
    }
}
