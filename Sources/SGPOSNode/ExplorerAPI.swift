import Foundation
import Hummingbird
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSOperations
import SGPOSReports
import SGPOSState
import SGPOSStore

/// The explorer's reads (docs/API.md, "Explorer"; docs/WEB.md, "Explorer"): an outlet
/// chain's blocks newest first, a page at a time, and one block decoded into the rows of
/// the mirror's tables (``BlockRows``, docs/EXPORT.md) — the same decoded form the
/// PostgreSQL mirror and the audit files hold. Signed like `GET /v1/outlets/{o}/blocks/{h}`:
/// an operator of the outlet, an auditor or an admin.
extension NodeAPI {
    /// Blocks per page of `GET /v1/outlets/{o}/blocks`, at most and by default.
    static let explorerPageMax = 50
    static let explorerPageDefault = 20

    func addExplorerRoutes(to router: RecordingRouter) {
        router.get("/v1/outlets/:outlet/blocks") { request, context in
            let outlet = try explorerOutlet(context)
            _ = try self.auth.authorize(request, body: nil, .outletManager(outlet))
            return try self.blockPage(outlet: outlet, query: request.uri.queryParameters)
        }
        router.get("/v1/outlets/:outlet/blocks/:height/rows") { request, context in
            let outlet = try explorerOutlet(context)
            _ = try self.auth.authorize(request, body: nil, .outletManager(outlet))
            let text = try context.parameters.require("height")
            guard let height = UInt64(text), height > 0 else { throw RequestError("height must be a block height (1 or more), not \"\(text)\"") }
            return try self.blockRows(outlet: outlet, height: height)
        }
    }

    /// `GET /v1/outlets/{o}/blocks?before=H&limit=N`: blocks below height `before` (default:
    /// above the head), newest first, at most `limit` (1...50, default 20).
    func blockPage(outlet: OutletID, query: Parameters) throws -> Response {
        for (key, _) in query where !["before", "limit"].contains(String(key)) {
            throw RequestError("unknown query parameter \"\(key)\" (takes before, limit)")
        }
        var before = UInt64.max
        if let text = query["before"] {
            guard let value = UInt64(String(text)), value > 0 else { throw RequestError("before must be a block height (1 or more)") }
            before = value
        }
        var limit = Self.explorerPageDefault
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...Self.explorerPageMax).contains(value) else {
                throw RequestError("limit must be 1...\(Self.explorerPageMax)")
            }
            limit = value
        }
        guard node.genesis.outlet(outlet) != nil else { return problem(.notFound, "not-found", 0, "no outlet \(outlet) in this network") }
        let page: ExplorerBlockPage = try node.read { transaction in
            let head = try node.store.head(outlet, transaction).height
            var height = min(before - 1, head)
            var blocks: [ExplorerBlockPage.Block] = []
            // Headers only: a page of 1,000-sale blocks is not inflated and decoded whole.
            while height > 0, blocks.count < limit, let block = try node.store.blockHeader(outlet, height: height, transaction) {
                blocks.append(.init(height: height, blockId: block.header.id.hex, timestampMs: block.header.timestampMs,
                                    transactions: Int(block.header.transactionCount), producer: block.header.producer.hex))
                height -= 1
            }
            return ExplorerBlockPage(outletId: outlet, head: head, blocks: blocks, nextBefore: height > 0 ? height + 1 : nil)
        }
        return try json(page)
    }

    /// `GET /v1/outlets/{o}/blocks/{h}/rows`: the block's ``BlockRows`` by table.
    func blockRows(outlet: OutletID, height: UInt64) throws -> Response {
        guard node.genesis.outlet(outlet) != nil else { return problem(.notFound, "not-found", 0, "no outlet \(outlet) in this network") }
        let store = node.store
        let found: ExplorerBlockRows? = try node.read { transaction in
            guard let block = try store.block(outlet, height: height, transaction) else { return nil }
            let state = store.stateReader(outlet, transaction)
            var principals: [PublicKey: String] = [:]
            let rows = try BlockRows(block: block, outlet: outlet, period: try Self.period(outlet, at: height, store: store, transaction),
                                     principal: { key in
                if let known = principals[key] { return known }
                let name = try state.read(.key(key)).map { try KeyRecord(canonicalBytes: $0).principal } ?? key.hex
                principals[key] = name
                return name
            }, sale: { id in try OriginalSale.find(id, store: store, transaction) })
            var tables: [String: ExplorerBlockRows.Table] = [:]
            var order: [String] = []
            for table in BlockRows.tables {
                guard let values = rows.rows[table], !values.isEmpty else { continue }
                order.append(table)
                tables[table] = .init(columns: BlockRows.columns[table] ?? [], rows: values.map { $0.map(ExplorerCell.init) })
            }
            return ExplorerBlockRows(outletId: outlet, height: height, blockId: block.id.hex, tableOrder: order, tables: tables)
        }
        guard let found else { return problem(.notFound, "not-found", 0, "outlet \(outlet) has no block \(height) here") }
        return try json(found)
    }

    /// The period (Z number) block `height`'s first transaction falls in: the Z number of
    /// the first day-close at or after it, or after the chain's last day-close the one
    /// the outlet's books will give next. Reads forward from the block to the next
    /// day-close only (one business day of blocks, usually), not the whole chain.
    static func period(_ outlet: OutletID, at height: UInt64, store: LedgerStore, _ transaction: LMDBTransaction) throws -> UInt64 {
        let head = try store.head(outlet, transaction).height
        var next = height
        while next <= head, let block = try store.block(outlet, height: next, transaction) {
            for signed in block.transactions {
                guard case .application(let type, let payload) = signed.envelope.body, type == POSBodyType.dayClose,
                      case .dayClose(let close) = try POSBody.decode(type: type, payload: payload) else { continue }
                return close.zNumber
            }
            next += 1
        }
        return try store.stateReader(outlet, transaction).outletBooks(outlet).lastZNumber + 1
    }
}

/// The outlet id of the path, or a 400 naming it.
private func explorerOutlet(_ context: BasicRequestContext) throws -> OutletID {
    let text = try context.parameters.require("outlet")
    guard let outlet = OutletID(text) else { throw RequestError("outlet must be an outlet id (0...4294967295), not \"\(text)\"") }
    return outlet
}

/// One page of `GET /v1/outlets/{o}/blocks`.
struct ExplorerBlockPage: Encodable, Sendable {
    struct Block: Encodable, Sendable {
        let height: UInt64
        let blockId: String
        let timestampMs: UInt64
        let transactions: Int
        let producer: String
    }

    let outletId: OutletID
    /// The chain's height here when the page was read.
    let head: UInt64
    /// Newest first.
    let blocks: [Block]
    /// `before` of the next (older) page; absent after block 1.
    let nextBefore: UInt64?
}

/// `GET /v1/outlets/{o}/blocks/{h}/rows`: the block's rows by table (only tables with
/// rows), each with its columns in ``BlockRows/columns`` order.
struct ExplorerBlockRows: Encodable, Sendable {
    struct Table: Encodable, Sendable {
        let columns: [String]
        let rows: [[ExplorerCell]]
    }

    let outletId: OutletID
    let height: UInt64
    let blockId: String
    /// The tables present, in the mirror's insertion order.
    let tableOrder: [String]
    let tables: [String: Table]
}

/// One ``ExportValue`` as JSON: a number, a string, a boolean or null.
struct ExplorerCell: Encodable, Sendable {
    let value: ExportValue

    init(_ value: ExportValue) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case .int(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        case .bool(let flag): try container.encode(flag)
        case .null: try container.encodeNil()
        }
    }
}
