import Foundation
import Hummingbird
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSContracts
import SGPOSOperations
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// What the web till and back office read besides reports (docs/API.md, "Items, rules and
/// printing"): the till's item search, the deployed rules and the rule checker, and
/// printing a receipt on the outlet's printer.
extension NodeAPI {
    func addBackOfficeRoutes(to router: RecordingRouter, bodyMax: Int) {
        router.get("/v1/outlets/:outlet/items") { request, context in
            let text = try context.parameters.require("outlet")
            guard let outlet = OutletID(text) else { throw RequestError("outlet must be an outlet id (0...4294967295), not \"\(text)\"") }
            _ = try self.auth.authorize(request, body: nil, .outletStaff(outlet))
            return try self.items(outlet: outlet, query: request.uri.queryParameters)
        }
        router.get("/v1/outlets/:outlet/settings") { request, context in
            let text = try context.parameters.require("outlet")
            guard let outlet = OutletID(text) else { throw RequestError("outlet must be an outlet id (0...4294967295), not \"\(text)\"") }
            _ = try self.auth.authorize(request, body: nil, .outletStaff(outlet))
            for (key, _) in request.uri.queryParameters { throw RequestError("unknown query parameter \"\(key)\" (takes none)") }
            guard self.node.genesis.outlet(outlet) != nil else { return problem(.notFound, "not-found", 0, "no outlet \(outlet) in this network") }
            return try json(try self.node.read { try RetailSettingsReport.read(store: self.node.store, outlet: outlet, $0) })
        }
        router.get("/v1/outlets/:outlet/lots") { request, context in
            let text = try context.parameters.require("outlet")
            guard let outlet = OutletID(text) else { throw RequestError("outlet must be an outlet id (0...4294967295), not \"\(text)\"") }
            _ = try self.auth.authorize(request, body: nil, .outletStaff(outlet))
            let query = request.uri.queryParameters
            for (key, _) in query where key != "gs1" { throw RequestError("unknown query parameter \"\(key)\" (takes gs1)") }
            guard let scan = query["gs1"].map(String.init) else { throw RequestError("gs1 is required: the scanned GS1 element string") }
            // The schema counts characters (code points); a longer UTF-8 form is the scan's problem (422).
            guard (1...128).contains(scan.unicodeScalars.count) else { throw RequestError("gs1 is 1-128 characters, not \(scan.unicodeScalars.count)") }
            return try self.lot(outlet: outlet, scan: scan)
        }
        router.get("/v1/rules") { request, _ in
            _ = try self.auth.authorize(request, body: nil, .anyKey)
            return try self.rules()
        }
        router.post("/v1/rules/check") { request, _ in
            let data = try await body(request, max: bodyMax)
            _ = try self.auth.authorize(request, body: data, .anyKey)
            return try self.checkRule(data)
        }
        router.post("/v1/transactions/:id/print") { request, context in
            let data = try await body(request, max: 1_024)
            return try self.printReceipt(try context.parameters.require("id"), request: request, body: data)
        }
    }

    /// `GET /v1/outlets/{o}/lots?gs1=`: what a scanned GS1 barcode is at the outlet — its
    /// SKU, the lot's expiry and units on hand, and the recall the outlet recorded for it
    /// (the till refuses a recalled lot before it reaches the basket).
    func lot(outlet: OutletID, scan text: String) throws -> Response {
        guard node.genesis.outlet(outlet) != nil else { return problem(.notFound, "not-found", 0, "no outlet \(outlet) in this network") }
        let scan: GS1Scan
        do {
            scan = try LotScan.read(text, atMs: Int64(wallClockMs()))
        } catch let rejection as LedgerRejection {
            return problem(.unprocessableContent, "rejected", Int(rejection.code), rejection.detail)
        }
        let gtin = scan.gtin!
        let found = try node.withState(of: outlet) { state -> (String, LotRecord?, RecallRecord?)? in
            guard let sku = try LotScan.sku(gtin: gtin, lot: scan.lot, outlet: outlet, state: state) else { return nil }
            guard let lot = scan.lot else { return (sku, nil, nil) }
            return (sku, try state.lotRecord(gtin: gtin, lot: lot), try state.recallRecord(gtin: gtin, lot: lot))
        }
        guard let (sku, record, recall) = found else {
            return problem(.notFound, "not-found", 0, "GTIN \(gtin)\(scan.lot.map { " lot \($0)" } ?? "") is not known at outlet \(outlet): the lot was not received here and no SKU is the GTIN")
        }
        let expiry = scan.expiry?.description ?? record.flatMap { $0.expiryDay == 0 ? nil : CivilTime.date(fromDays: $0.expiryDay).description }
        return try json(API.LotLookup(
            outletId: outlet, gtin: gtin, lot: scan.lot, sku: sku, expiry: expiry, onHand: record?.onHand,
            recall: recall.map { API.RecallJSON(id: $0.recallID.hex, gtin: gtin, lot: scan.lot ?? "", reason: $0.reason, checkpoint: $0.checkpoint, recordedHere: true) }))
    }

    /// `GET /v1/outlets/{o}/items?q=&limit=`: ``ItemSearch`` on the outlet's chain.
    func items(outlet: OutletID, query: Parameters) throws -> Response {
        for (key, _) in query where !["q", "limit"].contains(String(key)) {
            throw RequestError("unknown query parameter \"\(key)\" (takes q, limit)")
        }
        var limit = 20
        if let text = query["limit"] {
            guard let value = Int(String(text)) else { throw RequestError("limit must be 1...\(ItemSearch.limitMax)") }
            limit = value
        }
        let search: ItemSearch
        do { search = try ItemSearch(outlet: outlet, query: String(query["q"] ?? ""), limit: limit) } catch {
            throw RequestError(error.message)
        }
        guard node.genesis.outlet(outlet) != nil else { return problem(.notFound, "not-found", 0, "no outlet \(outlet) in this network") }
        let found = try node.read { transaction in try search.run(node.store.stateReader(outlet, transaction)) }
        return try json(API.ItemsResponse(outlet: outlet, items: found.map {
            .init(sku: $0.sku, category: $0.category, unitPrice: decimal($0.unitPrice), taxCategory: $0.taxCategory.code, onHand: $0.onHand)
        }))
    }

    /// `GET /v1/rules`: the rules deployed on this outlet's chain.
    func rules() throws -> Response {
        let deployed = try node.withState(of: node.outletID) { try RuleCatalogue.deployed($0) }
        return try json(API.RulesResponse(rules: deployed.map {
            .init(id: $0.id, version: $0.version, priority: $0.priority, activeFrom: rfc3339(Int64($0.activeFromMs)),
                  sourceHash: $0.sourceHash.hex, staticCost: $0.staticCost, source: $0.source)
        }))
    }

    /// `POST /v1/rules/check`: the checker's verdict on a source, against this outlet's rules.
    func checkRule(_ data: [UInt8]) throws -> Response {
        let request = try decodeJSON(API.RuleCheckRequest.self, data)
        guard request.source.unicodeScalars.count <= DeployRule.sourceBytesMax else {
            throw RequestError("source is \(request.source.unicodeScalars.count) characters; the limit is \(DeployRule.sourceBytesMax)")
        }
        let verdict: RuleCatalogue.Verdict
        do {
            verdict = try node.withState(of: node.outletID) { try RuleCatalogue.check(request.source, state: $0) }
        } catch let error as RequestError {
            // Within the characters the schema allows but over 64 KiB of UTF-8.
            return problem(.unprocessableContent, "rejected", Int(LedgerRejection.Reason.invalidField.rawValue), error.message)
        }
        switch verdict {
        case .compiles(let id, let version, let priority, let cost, let hash, let deployedVersion, let refusal):
            return try json(API.RuleCheckResponse(
                ok: true, id: id, version: version, priority: priority, staticCost: cost, sourceHash: hash.hex,
                deployed: deployedVersion.map { .init(version: $0) }, deployable: refusal == nil, reason: refusal))
        case .fails(let error):
            return try json(API.RuleCheckResponse(
                ok: false, error: .init(code: error.code, line: error.line, column: error.column, message: error.message)))
        }
    }
}

/// An instant as RFC 3339 in Singapore time (`2026-03-01T10:00:00+08:00`).
func rfc3339(_ epochMs: Int64) -> String {
    CivilTime.singaporeDateTime(epochMs: epochMs).replacingOccurrences(of: " ", with: "T") + "+08:00"
}
