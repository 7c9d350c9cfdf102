import Foundation
import Logging
import PostgresNIO
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSCrypto
import SGPOSReports
import SGPOSState
import SGPOSStore

/// Mirrors a node's chains into PostgreSQL (docs/EXPORT.md), exactly once: each block's
/// rows and the outlet's watermark (height, block id, period) commit in one PostgreSQL
/// transaction, so a crash or a restart of either side resumes after the last block
/// committed; a watermark whose block is not the chain's block at that height (a
/// restored node, a mirror of another network) stops the export with error 902.
///
/// Consecutive blocks of one outlet may share a PostgreSQL transaction (at most
/// ``batchBlocksMax`` blocks or about ``batchRowsMax`` rows), the watermark moved to the
/// last of them: still all or nothing, block by block. The rows go in with `COPY … FROM
/// STDIN` inside that transaction, and the next batch is read from the store while
/// PostgreSQL takes this one.
public struct PostgresMirror: Sendable {
    public let store: LedgerStore
    public let client: PostgresClient
    public let logger: Logger
    /// Called after each PostgreSQL commit with the outlet and the heights it mirrored
    /// (the bench measures the lag behind the writer with it).
    public var committed: (@Sendable (_ outlet: OutletID, _ heights: ClosedRange<UInt64>) -> Void)?

    /// Blocks per PostgreSQL transaction, at most.
    static let batchBlocksMax: UInt64 = 64
    /// A batch stops taking blocks once it holds this many rows.
    static let batchRowsMax = 40_000

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
                let id = try read { try store.blockHeader(outlet, height: mark.height, $0)?.header.id.hex }
                guard id == mark.blockID else {
                    throw ExportError(.historyMismatch, "outlet \(outlet): the mirror's block at height \(mark.height) is \(mark.blockID), the chain's is \(id ?? "missing"); refusing to mix histories")
                }
            }
            var budget = min(maxBlocks, head - mark.height)
            guard budget > 0 else { continue }
            // The next batch is read and encoded while PostgreSQL commits this one.
            let first = mark
            let firstMax = min(budget, Self.batchBlocksMax)
            var reading = Task { try self.batch(outlet, after: first, blocksMax: firstMax) }
            while true {
                let batch = try await reading.value
                budget -= batch.blocks
                if budget > 0 {
                    let next = batch.last
                    let blocksMax = min(budget, Self.batchBlocksMax)
                    reading = Task { try self.batch(outlet, after: next, blocksMax: blocksMax) }
                }
                try await commit(batch, outlet: outlet, from: mark)
                mark = batch.last
                exported += Int(batch.blocks)
                if budget == 0 { break }
            }
        }
        return exported
    }

    /// Exports until cancelled, looking for new blocks (and checkpoints) every `intervalMs`.
    public func follow(intervalMs: UInt64 = 200) async throws {
        let consensus = try read { _ in try ConsensusStorage(environment: store.environment) }
        while !Task.isCancelled {
            let exported = try await exportPending(maxBlocks: 256)
            let checkpoints = try await exportCheckpoints(consensus)
            if exported == 0 && checkpoints == 0 { try await Task.sleep(nanoseconds: intervalMs * 1_000_000) }
        }
    }

    typealias Watermark = (height: UInt64, blockID: String, period: UInt64)

    /// `SGPOS_EXPORT_TEST_HOLD_MS` (crash tests only, docs/EXPORT.md): each PostgreSQL
    /// transaction waits this long after its rows are in and before the watermark moves.
    static let testHoldMs: UInt64? = ProcessInfo.processInfo.environment["SGPOS_EXPORT_TEST_HOLD_MS"].flatMap { UInt64($0) }

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

    /// One PostgreSQL transaction: the watermark is still `from` (locked), the batch's rows
    /// go in, the watermark becomes the batch's last block.
    private func commit(_ batch: MirrorBatch, outlet: OutletID, from: Watermark) async throws {
        let to = batch.last
        try await database("exporting blocks \(from.height + 1)...\(to.height) of outlet \(outlet)") {
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
                    guard let text = batch.text[table] else { continue }
                    try await copy(table, columns: BlockRows.columns[table]!, text, connection)
                }
                if let hold = Self.testHoldMs {
                    // Crash tests only: the rows are in, the watermark not yet: a kill now is mid-transaction.
                    try await Task.sleep(nanoseconds: hold * 1_000_000)
                }
                try await connection.query("""
                    INSERT INTO sgpos_export_watermark (outlet_id, height, block_id, period)
                    VALUES (\(Int64(outlet)), \(Int64(to.height)), \(to.blockID), \(Int64(to.period)))
                    ON CONFLICT (outlet_id) DO UPDATE SET height = EXCLUDED.height, block_id = EXCLUDED.block_id, period = EXCLUDED.period
                    """, logger: logger)
            }
        }
        committed?(outlet, (from.height + 1)...to.height)
    }

    /// Inserts `rows` of `table` (values in `columns` order; by default the table's
    /// ``BlockRows/columns``) inside the caller's transaction, with COPY.
    func insert(_ table: String, _ rows: [[ExportValue]], _ connection: PostgresConnection, columns: [String]? = nil) async throws {
        guard !rows.isEmpty else { return }
        var text = ByteBuffer()
        for row in rows { CopyText.append(row, to: &text) }
        try await copy(table, columns: columns ?? BlockRows.columns[table]!, text, connection)
    }

    /// `COPY table (columns) FROM STDIN` of rows already in ``CopyText``, in slices of 1 MiB.
    func copy(_ table: String, columns: [String], _ text: ByteBuffer, _ connection: PostgresConnection) async throws {
        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
            var rest = text
            while rest.readableBytes > 0, let slice = rest.readSlice(length: min(rest.readableBytes, 1 << 20)) {
                try await writer.write(slice)
            }
        }
    }

    func read<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
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
        do {
            return try OriginalSale.find(id, store: store, transaction)
        } catch let error as ReportError where error.isStoreFailure {
            throw ExportError(.store, error.message)
        }
    }
}
