import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSOperations
import SGPOSRetail
import SGPOSState
import SGPOSStore
import SGPOSClient
import SGPOSWeb

/// The till and auditor API (HTTP + JSON, docs/openapi.yaml). Every request is bounded
/// in size; malformed or refused input gets a 4xx naming what was wrong and changes
/// nothing; a submission answers once its block is durable.
public struct NodeAPI: Sendable {
    let node: LedgerNode
    let replicator: Replicator?
    let metrics: NodeMetrics
    let checkpoints: CheckpointService?
    /// The newest blocks' transaction trees: every submitter of a block gets its path from one tree.
    let blockTrees = BlockTreeCache()
    /// Checks request signatures and roles of reads and admin acts.
    let auth: RequestAuthenticator
    /// The web pages (docs/WEB.md); nil when this build's assets could not be read.
    let webPages: WebPages?
    /// The outlet's receipt printer (``NodeConfig/printer``); nil when none is configured.
    let receiptPrinting: ReceiptPrinting?

    public init(node: LedgerNode, replicator: Replicator?, metrics: NodeMetrics, checkpoints: CheckpointService? = nil) {
        self.node = node
        self.replicator = replicator
        self.metrics = metrics
        self.checkpoints = checkpoints
        auth = RequestAuthenticator(node: node)
        if let printer = node.config.printer {
            do {
                receiptPrinting = try ReceiptPrinting(settings: printer, dataDirectory: node.dataDirectory, logger: node.logger)
            } catch {
                node.logger.error("the receipt printer is not used: \(error)")
                receiptPrinting = nil
            }
        } else {
            receiptPrinting = nil
        }
        do {
            webPages = try WebPages(assets: try WebAssets.bundled(), genesis: node.genesis)
        } catch {
            node.logger.error("the web pages are not served: \(error)")
            webPages = nil
        }
    }

    /// The HTTP server: HTTP/1.1 (over TLS 1.3 with `tls`), connections capped in all and
    /// per address (``NodeConfig/httpConnectionsMax``), idle connections closed after 30 s, bodies bounded by the configuration (default 1 MiB), every error a Problem document.
    public func application(tls: TLSConfiguration? = nil) throws -> some ApplicationProtocol {
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(30))
        let limiter = ConnectionLimiter(totalMax: node.config.httpConnectionsMax ?? 1_024,
                                        perAddressMax: node.config.httpConnectionsPerAddressMax ?? 256)
        let server = HTTPServerBuilder { responder -> any ServerChildChannel in
            let channel = HTTP1Channel(responder: responder, configuration: http1)
            guard let tls else { return LimitedChannel(base: channel, limiter: limiter) }
            return LimitedChannel(base: try TLSChannel(channel, tlsConfiguration: tls), limiter: limiter)
        }
        return Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(node.config.http.host, port: node.config.http.port), serverName: "sgpos-node"),
            logger: node.logger)
    }

    public func router() -> Router<BasicRequestContext> {
        let base = Router()
        let table = RouteTable()
        base.add(middleware: RequestLogMiddleware(logger: node.logger))
        base.add(middleware: ProblemMiddleware(logger: node.logger, routes: table))
        let router = RecordingRouter(router: base, table: table)
        let bodyMax = node.config.requestBytesMax ?? 1 << 20
        let here = node.outletID
        // Who may call what: docs/API.md, "Who may read what". Submissions of signed
        // transactions authenticate themselves; everything else but health and a receipt's
        // proof needs a request signature by a registered key of the right role.
        router.get("/v1/health") { _, _ in try self.health() }
        router.get("/metrics") { request, _ in
            if node.config.metricsWithoutSignature != true { try self.auth.authorize(request, body: nil, .outletManager(here)) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: try await self.metricsText())))
        }
        router.post("/v1/transactions") { request, _ in
            try await self.submit(try await body(request, max: bodyMax))
        }
        router.post("/v1/transactions/batch") { request, _ in
            try await self.submitBatch(request, bytesMax: node.config.batchRequestBytesMax ?? 4 << 20)
        }
        router.get("/v1/whoami") { request, _ in
            guard let caller = try self.auth.authorize(request, body: nil, .anyKey) else { throw HTTPError(.unauthorized) }
            return try json(API.WhoAmI(publicKey: caller.key.hex, role: caller.record.role.description, outletId: caller.record.outletID,
                                       principal: caller.record.principal, status: caller.record.status == .active ? "active" : "rotated"))
        }
        router.post("/v1/paynow") { request, _ in
            let data = try await body(request, max: 4_096)
            try self.auth.authorize(request, body: data, .outletStaff(here))
            return try self.payNow(data)
        }
        router.post("/v1/quote") { request, _ in
            let data = try await body(request, max: bodyMax)
            try self.auth.authorize(request, body: data, .outletStaff(here))
            return try self.quote(data)
        }
        router.post("/v1/prepare") { request, _ in
            let data = try await body(request, max: bodyMax)
            let caller = try self.auth.authorize(request, body: data, .outletStaff(here))
            return try self.prepare(data, caller: caller)
        }
        router.get("/v1/heads") { request, _ in
            try self.auth.authorize(request, body: nil, .anyKey)
            return try self.heads()
        }
        router.get("/v1/transactions/:id") { request, context in
            try self.transaction(try context.parameters.require("id"), request: request)
        }
        router.get("/v1/transactions/:id/proof") { _, context in try self.proof(try context.parameters.require("id")) }
        router.get("/v1/transactions/:id/receipt") { request, context in
            try self.receipt(try context.parameters.require("id"), request: request)
        }
        router.get("/v1/outlets/:outlet/blocks/:height") { request, context in
            let outlet = try context.parameters.require("outlet", as: UInt32.self)
            try self.auth.authorize(request, body: nil, .outletManager(outlet))
            return try self.block(outlet: outlet, height: try context.parameters.require("height", as: UInt64.self))
        }
        router.get("/v1/outlets/:outlet/stock/:sku") { request, context in
            let outlet = try context.parameters.require("outlet", as: UInt32.self)
            try self.auth.authorize(request, body: nil, .outletStaff(outlet))
            return try self.stock(outlet: outlet, sku: try decodedParameter(context, "sku"))
        }
        router.get("/v1/outlets/:outlet/books") { request, context in
            let outlet = try context.parameters.require("outlet", as: UInt32.self)
            try self.auth.authorize(request, body: nil, .outletManager(outlet))
            return try self.books(outlet: outlet)
        }
        router.get("/v1/outlets/:outlet/shifts/:till") { request, context in
            let outlet = try context.parameters.require("outlet", as: UInt32.self)
            let till = try decodedParameter(context, "till")
            let caller = try self.auth.authorize(request, body: nil, .outletStaff(outlet))
            try requireOwnTill(caller, till)
            return try self.shift(outlet: outlet, till: till)
        }
        router.get("/v1/members/:id") { request, context in
            try self.auth.authorize(request, body: nil, .outletStaff(here))
            return try self.member(try decodedParameter(context, "id"))
        }
        addMemberDirectoryRoutes(to: router, bodyMax: bodyMax)
        addReportRoutes(to: router)
        addEventRoutes(to: router)
        addExplorerRoutes(to: router)
        addBackOfficeRoutes(to: router, bodyMax: bodyMax)
        router.get("/v1/network/members/:id") { request, context in
            try self.auth.authorize(request, body: nil, .outletStaff(here))
            let id = try decodedParameter(context, "id")
            try RequestLimits.memberID(id, field: "member id")
            return try json(try NetworkView(node: self.node).member(id, todayMs: Int64(wallClockMs())))
        }
        router.get("/v1/network/transfers") { request, _ in
            try self.auth.authorize(request, body: nil, .anyManager)
            return try json(try NetworkView(node: self.node).transfers())
        }
        router.get("/v1/checkpoints/status") { request, _ in
            try self.auth.authorize(request, body: nil, .anyKey)
            return try await self.checkpointStatus()
        }
        router.get("/v1/checkpoints/:height") { request, context in
            try self.auth.authorize(request, body: nil, .anyKey)
            return try await self.checkpoint(try context.parameters.require("height", as: UInt64.self))
        }
        router.post("/v1/admin/isolate") { request, _ in
            let data = try await body(request, max: 1_024)
            try self.auth.authorize(request, body: data, .admin)
            return try await self.isolate(data)
        }
        router.post("/v1/admin/equivocate") { request, _ in
            let data = try await body(request, max: 1_024)
            try self.auth.authorize(request, body: data, .admin)
            return try await self.equivocate()
        }
        router.get("/v1/validators") { request, _ in
            try self.auth.authorize(request, body: nil, .anyKey)
            return try await self.validators()
        }
        router.get("/v1/allowance") { request, _ in
            try self.auth.authorize(request, body: nil, .anyKey)
            return try await self.allowance()
        }
        router.post("/v1/admin/allowance-grants") { request, _ in
            let data = try await body(request, max: 16_384)
            try self.auth.authorize(request, body: data, .admin)
            return try await self.submitAllowanceGrant(data)
        }
        router.get("/v1/recalls") { request, _ in
            try self.auth.authorize(request, body: nil, .anyKey)
            return try await self.recalls()
        }
        router.post("/v1/admin/recalls") { request, _ in
            let data = try await body(request, max: 16_384)
            try self.auth.authorize(request, body: data, .admin)
            return try await self.submitRecall(data)
        }
        router.post("/v1/admin/validator-updates") { request, _ in
            let data = try await body(request, max: 16_384)
            try self.auth.authorize(request, body: data, .admin)
            return try await self.submitValidatorUpdate(data)
        }
        if let pages = webPages { pages.register(on: router) }
        return base
    }

    // MARK: handlers

    /// `/metrics`: the registry's families, then the gauges read now (docs/OPERATIONS.md, "Metrics").
    func metricsText() async throws -> String {
        var gauges = ScrapeGauges()
        let outlets = node.genesis.outlets.map(\.id)
        let heights = try node.read { transaction in try outlets.map { try node.store.head($0, transaction).height } }
        gauges.add("sgpos_chain_height", help: "Blocks of each outlet's chain this node holds",
                   zip(outlets, heights).map { ("outlet=\"\($0)\"", "\($1)") })
        if let replicator {
            let connected = replicator.connectedOutlets
            gauges.add("sgpos_peer_up", help: "1 when the configured peer outlet's node is connected, 0 when not",
                       node.config.peers.map { ("outlet=\"\($0.outletId)\"", connected.contains($0.outletId) ? "1" : "0") })
            gauges.add("sgpos_peer_isolated", help: "1 while a fault drill isolates this node from its peers", [("", replicator.isIsolated ? "1" : "0")])
        }
        if let checkpoints {
            let status = await checkpoints.status()
            gauges.add("sgpos_checkpoint_covered_height", help: "Height of each outlet's chain the newest checkpoint covers",
                       outlets.map { ("outlet=\"\($0)\"", "\(status.covered[String($0)] ?? 0)") })
            gauges.add("sgpos_checkpoint_uncovered_blocks", help: "Blocks of each outlet's chain this node holds that no checkpoint covers yet",
                       zip(outlets, heights).map { ("outlet=\"\($0)\"", "\($1 - min($1, status.covered[String($0)] ?? 0))") })
            if let agreed = status.agreedTimeMs {
                gauges.add("sgpos_checkpoint_agreed_time_seconds", help: "Agreed time of the newest checkpoint since the Unix epoch",
                           [("", thousandths(agreed))])  // ms as seconds, exactly
            }
        }
        gauges.addProcess()
        return metrics.prometheusText() + gauges.text
    }

    func health() throws -> Response {
        let head = try node.read { try node.store.head(node.outletID, $0) }
        return try json(API.Health(
            status: "ok", chainId: node.genesis.chainID.value, genesisId: node.genesis.id.hex, outletId: node.outletID,
            height: head.height, peersConnected: replicator?.connectedCount ?? 0, isolated: replicator?.isIsolated ?? false))
    }

    func submit(_ data: [UInt8]) async throws -> Response {
        guard let bytes = try SubmitBody.transactionBytes(data) ?? Hex.decode(decodeJSON(API.SubmitRequest.self, data).transaction),
              !bytes.isEmpty else {
            return problem(.badRequest, "malformed", 1, "transaction must be hex, at least one byte")
        }
        let transaction: SignedTransaction
        do {
            transaction = try SignedTransaction(encoded: bytes)
        } catch {
            // Hex the schema allows, bytes FORMAT.md does not: well-formed request, undecodable content.
            return problem(.unprocessableContent, "undecodable", 1, "transaction: \(error)")
        }
        guard transaction.envelope.outletID == node.outletID else {
            return problem(.unprocessableContent, "rejected", Int(LedgerRejection.Reason.wrongOutlet.rawValue),
                           "this node produces outlet \(node.outletID)'s chain; the transaction is for outlet \(transaction.envelope.outletID)")
        }
        if let refusal = RequestLimits.admissionRefusal(transaction.envelope.body) {
            return problem(.unprocessableContent, "rejected", RequestLimits.admissionRefusalCode, refusal)
        }
        let outcome: AppendOutcome
        do {
            outcome = try await node.submit(transaction)
        } catch let error as GroupCommitError where error.isOverloaded {
            return problem(.serviceUnavailable, "overloaded", Int(error.code), error.message)
        }
        if case .duplicate(let first) = outcome, try node.store.isConflict(transaction, first: first) {
            return problem(.conflict, "conflict", 0, idempotencyConflict(transaction, first: first))
        }
        switch outcome {
        case .rejected(let rejection):
            return problem(.unprocessableContent, "rejected", Int(rejection.code), rejection.detail)
        case .committed(let location), .duplicate(let location):
            let proof = try ProofBuilder(store: node.store).transactionProof(location.transactionID, cache: blockTrees)
            let status: String
            if case .committed = outcome { status = "committed" } else { status = "duplicate" }
            let answer = API.SubmitResponse(
                status: status, transactionId: location.transactionID.hex, outletId: location.outletID,
                height: location.height, index: location.index, proof: proof)
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: answer.jsonBytes())))
        }
    }

    func quote(_ data: [UInt8]) throws -> Response {
        let request = try decodeJSON(API.QuoteRequest.self, data)
        try request.checkFields()
        let priced: SaleCalculator.PricedBasket
        do {
            priced = try node.quote(lines: request.lines.map { StockLine(sku: $0.sku, quantity: $0.qty) },
                                    memberID: request.memberId ?? "", redeemPoints: request.redeemPoints ?? 0,
                                    codes: request.codes ?? [])
        } catch let rejection as LedgerRejection {
            return problem(.unprocessableContent, "rejected", Int(rejection.code), rejection.detail)
        }
        let quote = priced.quote
        return try json(API.QuoteResponse(
            lines: quote.lines.map {
                .init(sku: $0.sku, category: $0.category, taxCategory: $0.taxCategory.code, qty: $0.quantity, unitPrice: $0.unitPrice.decimal,
                      discount: $0.discount.decimal, net: $0.net.decimal, gst: $0.gst.decimal)
            },
            subtotal: quote.subtotal.decimal, discount: quote.discount.decimal, gst: quote.gst.decimal,
            total: quote.total.decimal, pointsTender: quote.pointsTender.decimal, amountDue: quote.amountDue.decimal,
            gstBasisPoints: quote.gstBasisPoints, invoiceType: quote.allowsSimplifiedInvoice ? "simplified" : "full",
            appliedRules: priced.appliedRules, skippedRules: priced.skippedRules.map { .init(rule: $0.rule, reason: $0.reason) },
            pointsRedeemed: quote.pointsRedeemed, pointsValue: quote.pointsValue.decimal))
    }

    func heads() throws -> Response {
        try json(try node.heads().map {
            API.Head(outletId: $0.outletID, height: $0.height, blockId: $0.blockID.hex, stateRoot: $0.stateRoot.hex)
        })
    }

    /// A transaction by id: for the staff of its outlet, auditors and admins (the signature
    /// is checked before the lookup, the role once the transaction's outlet is known).
    func transaction(_ idText: String, request: Request) throws -> Response {
        let caller = try auth.authorize(request, body: nil, .anyKey)
        guard let id = Hash256(hex: idText) else { return problem(.badRequest, "malformed", 1, "transaction id must be 64 hex digits") }
        let found: (TransactionLocation, SignedTransaction)? = try node.read { txn in
            guard let location = try node.store.location(of: id, txn),
                let block = try node.store.blockOutline(location.outletID, height: location.height, txn),
                Int(location.index) < block.transactionRanges.count
            else { return nil }
            do { return (location, try block.transaction(Int(location.index))) } catch {
                throw StoreError.corrupt("transaction \(location.index) of block \(location.height) of outlet \(location.outletID) does not decode: \(error)")
            }
        }
        guard let (location, transaction) = found else { return problem(.notFound, "not-found", 0, "no transaction \(idText) here") }
        if let caller, !caller.may(.outletStaff(location.outletID)) {
            throw RequestAuthError(.forbidden, "\(caller.record.role) \"\(caller.record.principal)\" of outlet \(caller.record.outletID) may not read outlet \(location.outletID)'s transactions: it needs \(Caller.describe(.outletStaff(location.outletID)))")
        }
        return try json(API.TransactionInfo(
            transactionId: id.hex, outletId: location.outletID, height: location.height, index: location.index,
            bodyType: bodyName(transaction.envelope.body), transaction: Hex.encode(transaction.encoded)))
    }

    func proof(_ idText: String) throws -> Response {
        guard let id = Hash256(hex: idText) else { return problem(.badRequest, "malformed", 1, "transaction id must be 64 hex digits") }
        guard try node.read({ try node.store.location(of: id, $0) }) != nil else {
            return problem(.notFound, "not-found", 0, "no transaction \(idText) here")
        }
        return try json(try ProofBuilder(store: node.store).transactionProof(id))
    }

    func block(outlet: UInt32, height: UInt64) throws -> Response {
        guard let block = try node.read({ try node.store.block(outlet, height: height, $0) }) else {
            return problem(.notFound, "not-found", 0, "outlet \(outlet) has no block \(height) here")
        }
        return try json(API.BlockInfo(
            outletId: outlet, height: height, blockId: block.id.hex, previousHash: block.header.previousHash.hex,
            timestampMs: block.header.timestampMs, stateRoot: block.header.stateRoot.hex,
            transactionIds: block.transactions.map(\.id.hex), block: Hex.encode(block.encoded)))
    }

    func stock(outlet: UInt32, sku: String) throws -> Response {
        let onHand = try node.withState(of: outlet) { try OutletQuery(outlet: outlet).stock(sku: sku, state: $0) }
        return try json(API.Stock(outletId: outlet, sku: sku, onHand: onHand))
    }

    func books(outlet: UInt32) throws -> Response {
        let books = try node.withState(of: outlet) { try OutletQuery(outlet: outlet).books(state: $0) }
        let period = books.period
        return try json(API.Books(
            outletId: outlet, lastZNumber: books.lastZNumber, openShifts: books.openShifts, salesCount: period.salesCount,
            salesTotal: decimal(period.salesTotal), refundsTotal: decimal(period.refundsTotal), voidsTotal: decimal(period.voidsTotal),
            netSales: decimal(period.netSales), grandTotalSales: decimal(period.grandTotalSales)))
    }

    func shift(outlet: UInt32, till: String) throws -> Response {
        guard let shift = try node.withState(of: outlet, { try OutletQuery(outlet: outlet).shift(till: till, state: $0) }) else {
            return problem(.notFound, "not-found", 0, "till \(till) of outlet \(outlet) has no shift")
        }
        return try json(API.Shift(
            till: till, number: shift.number, open: shift.open, lastReceiptNumber: shift.lastReceiptNumber,
            lastCreditNoteNumber: shift.lastCreditNoteNumber, float: decimal(shift.float), expectedCash: decimal(shift.expectedCash),
            cashSales: decimal(shift.cashSales), cashRefunds: decimal(shift.cashRefunds), cashIn: decimal(shift.cashIn),
            cashOut: decimal(shift.cashOut), salesCount: shift.salesCount))
    }

    func member(_ id: String) throws -> Response {
        // Members live in the state of the outlet that enrolled them; this node answers
        // from its own outlet's state (the network-wide view arrives with checkpoints).
        let query = OutletQuery(outlet: node.outletID)
        guard let standing = try node.withState(of: node.outletID, { try query.member(id, todayMs: Int64(wallClockMs()), state: $0) }) else {
            return problem(.notFound, "not-found", 0, "member \(id) is not enrolled at outlet \(node.outletID)")
        }
        return try json(API.Member(
            memberId: id, tier: standing.tier.name, lifetimeSpend: decimal(standing.lifetimeSpend), points: standing.points,
            lots: standing.lots.map { .init(expiresOn: $0.expiresOn.description, points: $0.points) }))
    }

    func checkpointStatus() async throws -> Response {
        guard let checkpoints else { return problem(.notFound, "not-found", 0, "this network has fewer than 4 outlets: no checkpoint chain") }
        return try json(await checkpoints.status())
    }

    /// A decided checkpoint with its commit certificate (hex of its canonical bytes, and
    /// decoded): everything an auditor needs to check finality (docs/CONSENSUS.md §2).
    func checkpoint(_ height: UInt64) async throws -> Response {
        guard let checkpoints else { return problem(.notFound, "not-found", 0, "this network has fewer than 4 outlets: no checkpoint chain") }
        guard let certificate = try await checkpoints.certificate(height: height),
              let value = try? Checkpoint(canonicalBytes: certificate.value)
        else { return problem(.notFound, "not-found", 0, "no checkpoint \(height) here yet") }
        return try json(CheckpointJSON(
            height: certificate.height, round: certificate.round,
            heads: value.heads.map { .init(outlet: $0.outlet, height: $0.height, blockId: $0.blockID.hex) },
            evidence: value.evidence.map { .init(id: $0.id.hex, summary: $0.summary) }, networkRoot: value.networkRoot.hex,
            validatorUpdates: value.validatorUpdates.map(\.id.hex), signers: certificate.precommits.map(\.validator), certificate: Hex.encode(certificate.canonicalBytes),
            timeMs: value.timeMs, recalls: value.recalls.map { .init(id: $0.id.hex, gtin: $0.gtin, lot: $0.lot, reason: $0.reason) }))
    }

    /// Fault injection: this node signs a second, different block at its newest height and
    /// pushes it to its peers, who must catch it (docs/CONSENSUS.md §4).
    func equivocate() async throws -> Response {
        guard node.config.allowFaultInjection == true, let replicator else {
            return problem(.forbidden, "forbidden", 0, "fault injection is off (it needs allowFaultInjection in the node configuration and node run --demo-fault-injection)")
        }
        guard let (held, conflicting) = try await replicator.pushConflictingCopyOfHead() else {
            return problem(.conflict, "conflict", 0, "outlet \(node.outletID) has no block yet to sign twice")
        }
        return try json(API.Equivocation(outletId: node.outletID, height: held.header.height, heldId: held.id.hex, conflictingId: conflicting.id.hex))
    }

    func isolate(_ data: [UInt8]) async throws -> Response {
        guard node.config.allowFaultInjection == true, let replicator else {
            return problem(.forbidden, "forbidden", 0, "fault injection is off (it needs allowFaultInjection in the node configuration and node run --demo-fault-injection)")
        }
        struct Isolate: Codable { var isolated: Bool }
        let request = try decodeJSON(Isolate.self, data)
        await replicator.setIsolated(request.isolated)
        return try json(Isolate(isolated: request.isolated))
    }
}

/// A path parameter percent-decoded (the router hands the segment over as sent, so a SKU
/// `RICE 5KG` arrives as `RICE%205KG`); invalid percent-encoding is a 400.
func decodedParameter(_ context: BasicRequestContext, _ name: String) throws -> String {
    let segment = try context.parameters.require(name)
    guard let decoded = segment.removingPercentEncoding else {
        throw RequestError("\(name) in the path is not valid percent-encoding")
    }
    return decoded
}

/// A till reads its own shift only; operators, auditors and admins read any.
func requireOwnTill(_ caller: Caller?, _ till: String) throws {
    guard let caller, caller.record.role == .till, caller.record.principal != till else { return }
    throw RequestAuthError(.forbidden, "till \"\(caller.record.principal)\" may read its own shift, not \(till)'s")
}
