import Foundation
import Logging
import PostgresNIO
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// Why the export stopped (stable codes: 900 bad URL, 901 another schema version, 902 the
/// mirror holds another history than the chain, 903 PostgreSQL failed, 904 the store).
public struct ExportError: Error, Sendable, CustomStringConvertible {
    enum Kind: Int, Sendable {
        case badURL = 900
        case schemaVersion = 901
        case historyMismatch = 902
        case database = 903
        case store = 904
    }

    let kind: Kind
    public let message: String
    public var code: Int { kind.rawValue }
    public var description: String { "export error \(code): \(message)" }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// Mirrors a node's chains into PostgreSQL (docs/EXPORT.md), exactly once: each block's
/// rows and the outlet's watermark (height, block id, period) commit in one PostgreSQL
/// transaction, so a crash or a restart of either side resumes after the last block
/// committed; a watermark whose block is not the chain's block at that height (a
/// restored node, a mirror of another network) stops the export with error 902.
public struct PostgresMirror: Sendable {
    public let store: LedgerStore
    public let client: PostgresClient
    public let logger: Logger

    public init(store: LedgerStore, client: PostgresClient, logger: Logger) {
        self.store = store
        self.client = client
        self.logger = logger
    }

    /// A client for `postgres://user[:password]@host[:port]/database` (TLS off: a mirror on
    /// the shop's own host or a private network; docs/EXPORT.md).
    public static func configuration(url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty
        else { throw ExportError(.badURL, "\(url) is not postgres://user[:password]@host[:port]/database") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        return PostgresClient.Configuration(host: host, port: components.port ?? 5432, username: user,
                                            password: components.password, database: database.isEmpty ? nil : database, tls: .disable)
    }

    /// Creates the tables and views if missing and checks the schema version.
    public func prepare() async throws {
        try await database("creating the schema") {
            try await client.withTransaction(logger: logger) { connection in
                for statement in ExportSchema.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let rows = try await connection.query("SELECT value FROM sgpos_export_meta WHERE key = 'schema-version'", logger: logger)
                var found: String?
                for try await (value) in rows.decode(String.self) { found = value }
                if let found {
                    guard found == String(ExportSchema.version) else {
                        throw ExportError(.schemaVersion, "the database holds schema version \(found); this exporter writes \(ExportSchema.version)")
                    }
                } else {
                    try await connection.query("INSERT INTO sgpos_export_meta (key, value) VALUES ('schema-version', \(String(ExportSchema.version)))",
                                               logger: logger)
                    try await connection.query("INSERT INTO sgpos_export_meta (key, value) VALUES ('genesis-id', \(store.genesis.id.hex))",
                                               logger: logger)
                }
                let genesis = try await connection.query("SELECT value FROM sgpos_export_meta WHERE key = 'genesis-id'", logger: logger)
                for try await (value) in genesis.decode(String.self) where value != store.genesis.id.hex {
                    throw ExportError(.historyMismatch, "the database mirrors genesis \(value), this store holds \(store.genesis.id.hex)")
                }
                for outlet in store.genesis.outlets {
                    try await connection.query("""
                        INSERT INTO outlets (outlet_id, name, node_key) VALUES (\(Int64(outlet.id)), \(outlet.name), \(outlet.nodeKey.hex))
                        ON CONFLICT (outlet_id) DO NOTHING
                        """, logger: logger)
                }
            }
        }
    }

    /// Exports every block not mirrored yet, outlet by outlet, at most `maxBlocks` per
    /// outlet. Returns the blocks exported.
    @discardableResult
    public func exportPending(maxBlocks: UInt64 = .max) async throws -> Int {
        var exported = 0
        for outlet in store.genesis.outlets.map(\.id) {
            var mark = try await watermark(outlet)
            let head = try read { try store.head(outlet, $0).height }
            guard head >= mark.height else {
                throw ExportError(.historyMismatch, "outlet \(outlet): the mirror is at height \(mark.height), the chain only at \(head)")
            }
            if mark.height > 0 {
                let id = try read { try store.block(outlet, height: mark.height, $0)?.header.id.hex }
                guard id == mark.blockID else {
                    throw ExportError(.historyMismatch, "outlet \(outlet): the mirror's block at height \(mark.height) is \(mark.blockID), the chain's is \(id ?? "missing"); refusing to mix histories")
                }
            }
            var budget = maxBlocks
            while mark.height < head, budget > 0 {
                let (rows, blockID) = try read { transaction -> (BlockRows, String) in
                    guard let block = try store.block(outlet, height: mark.height + 1, transaction) else {
                        throw ExportError(.store, "outlet \(outlet): block \(mark.height + 1) is missing from the store")
                    }
                    let state = store.stateReader(outlet, transaction)
                    let rows = try BlockRows(block: block, outlet: outlet, period: mark.period, principal: { key in
                        try state.read(.key(key)).map { try KeyRecord(canonicalBytes: $0).principal } ?? key.hex
                    }, sale: { id in try Self.sale(id, store: store, transaction) })
                    return (rows, block.header.id.hex)
                }
                let next = (height: mark.height + 1, blockID: blockID, period: rows.period)
                try await commit(rows, outlet: outlet, from: mark, to: next)
                mark = next
                exported += 1
                budget -= 1
            }
        }
        return exported
    }

    /// Exports until cancelled, looking for new blocks every `intervalMs`.
    public func follow(intervalMs: UInt64 = 200) async throws {
        while !Task.isCancelled {
            let exported = try await exportPending(maxBlocks: 256)
            if exported == 0 { try await Task.sleep(nanoseconds: intervalMs * 1_000_000) }
        }
    }

    typealias Watermark = (height: UInt64, blockID: String, period: UInt64)

    func watermark(_ outlet: OutletID) async throws -> Watermark {
        try await database("reading the watermark of outlet \(outlet)") {
            let rows = try await client.query(
                "SELECT height, block_id, period FROM sgpos_export_watermark WHERE outlet_id = \(Int64(outlet))", logger: logger)
            var mark: Watermark = (0, "", 1)
            for try await (height, id, period) in rows.decode((Int64, String, Int64).self) {
                mark = (UInt64(height), id, UInt64(period))
            }
            return mark
        }
    }

    /// One PostgreSQL transaction: the watermark is still `from` (locked), the rows go in,
    /// the watermark becomes `to`.
    private func commit(_ rows: BlockRows, outlet: OutletID, from: Watermark, to: Watermark) async throws {
        try await database("exporting block \(to.height) of outlet \(outlet)") {
            try await client.withTransaction(logger: logger) { connection in
                let current = try await connection.query(
                    "SELECT height, block_id FROM sgpos_export_watermark WHERE outlet_id = \(Int64(outlet)) FOR UPDATE", logger: logger)
                var now: (Int64, String) = (0, "")
                for try await (height, id) in current.decode((Int64, String).self) { now = (height, id) }
                guard now.0 == Int64(from.height), now.1 == from.blockID else {
                    // Another exporter got there first: nothing written; the next pass starts from its watermark.
                    throw ExportError(.database, "outlet \(outlet): another exporter moved the watermark to height \(now.0)")
                }
                for table in BlockRows.tables {
                    guard let values = rows.rows[table], !values.isEmpty else { continue }
                    try await insert(table, values, connection)
                }
                try await connection.query("""
                    INSERT INTO sgpos_export_watermark (outlet_id, height, block_id, period)
                    VALUES (\(Int64(outlet)), \(Int64(to.height)), \(to.blockID), \(Int64(to.period)))
                    ON CONFLICT (outlet_id) DO UPDATE SET height = EXCLUDED.height, block_id = EXCLUDED.block_id, period = EXCLUDED.period
                    """, logger: logger)
            }
        }
    }

    /// Multi-row INSERTs, at most 30,000 parameters each.
    private func insert(_ table: String, _ rows: [[ExportValue]], _ connection: PostgresConnection) async throws {
        let columns = BlockRows.columns[table]!
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            var sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            var binds = PostgresBindings(capacity: chunk.count * columns.count)
            var number = 0
            for (index, row) in chunk.enumerated() {
                sql += index == 0 ? "(" : ", ("
                for (column, value) in zip(columns, row) {
                    number += 1
                    sql += (column == columns[0] ? "" : ", ") + "$\(number)" + (column == "business_date" ? "::date" : "")
                    switch value {
                    case .int(let int): binds.append(int)
                    case .text(let text): binds.append(text)
                    case .bool(let bool): binds.append(bool)
                    case .null: binds.appendNull()
                    }
                }
                sql += ")"
            }
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            start += chunk.count
        }
    }

    private func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        do {
            return try store.environment.read(body)
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError(.store, "the store could not be read: \(error)")
        }
    }

    func database<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError(.database, "PostgreSQL failed \(what): \(String(reflecting: error))")
        }
    }

    static func sale(_ id: Hash256, store: LedgerStore, _ transaction: LMDBTransaction) throws -> Sale {
        guard let location = try store.location(of: id, transaction),
              let block = try store.block(location.outletID, height: location.height, transaction),
              Int(location.index) < block.transactions.count,
              case .application(let type, let payload) = block.transactions[Int(location.index)].envelope.body,
              case .sale(let sale) = try POSBody.decode(type: type, payload: payload)
        else { throw ExportError(.store, "sale \(id) referred to by a refund or void is not in this store") }
        return sale
    }
}
