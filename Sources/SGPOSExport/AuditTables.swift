import SGPOSChain
import SGPOSCheckpointStore
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSReports
import SGPOSRetail
import SGPOSState
import SGPOSStore

/// The CSV files of an audit export (docs/EXPORT.md, "Audit files"), derived from a store
/// that holds exactly the exported chains: the exporter derives them from the store it
/// imported its own chain files into, and `sgpos audit check-export` derives them again
/// from the chain files it was given and compares byte for byte. Pure: the same chains,
/// checkpoints and dates always give the same bytes.
///
/// A transaction is in the files when its business date (``BusinessCalendar`` over the
/// exported chain) is in the range; a block when it holds such a transaction. Keys and
/// checkpoints are listed whole (as the exported chains and checkpoints hold them).
public enum AuditTables {
    /// The files in the order they are listed in the manifest, each with its columns.
    public static let files: [(name: String, columns: [String])] = {
        var files: [(String, [String])] = [("blocks.csv", BlockRows.columns["blocks"]!),
                                           ("transactions.csv", BlockRows.columns["transactions"]! + ["business_date"])]
        for table in BlockRows.tables where table != "blocks" && table != "transactions" {
            files.append((table + ".csv", BlockRows.columns[table]!))
        }
        files.append(("keys.csv", ["chain_outlet_id", "public_key", "role", "outlet_id", "principal", "status", "valid_until_ms",
                                   "last_sequence", "voting_power"]))
        files.append(("checkpoints.csv", CheckpointRows.columns))
        return files
    }()

    /// Calls `emit` with every line of every file: first each file's header line (in
    /// ``files`` order), then the rows, chain by chain in height and transaction order.
    /// `visited`, when given, is called with each block of the chains as it is read.
    public static func derive(store: LedgerStore, from: CivilTime.Date, to: CivilTime.Date, visited: () -> Void = {},
                              emit: (_ file: String, _ line: [UInt8]) throws -> Void) throws {
        for (name, columns) in files { try emit(name, AuditCSV.header(columns)) }
        try store.environment.read { transaction in
            for outlet in store.genesis.outlets.map(\.id) {
                try chain(outlet, store: store, from: from, to: to, transaction, visited: visited, emit: emit)
            }
            try keys(store: store, transaction, emit: emit)
        }
        try checkpoints(store: store, emit: emit)
    }

    private static func chain(_ outlet: OutletID, store: LedgerStore, from: CivilTime.Date, to: CivilTime.Date,
                              _ transaction: LMDBTransaction, visited: () -> Void,
                              emit: (String, [UInt8]) throws -> Void) throws {
        let head = try store.head(outlet, transaction)
        let calendar = try BusinessCalendar(store: store, outlet: outlet, through: head.height, transaction)
        var closesAt: [UInt64: UInt64] = [:]
        for close in calendar.closes { closesAt[close.height, default: 0] += 1 }
        var dates = calendar.cursor
        let state = store.stateReader(outlet, transaction)
        var principals: [PublicKey: String] = [:]
        var period: UInt64 = 1
        var height: UInt64 = 1
        while height <= head.height {
            guard let block = try store.block(outlet, height: height, transaction) else {
                throw ExportError(.store, "outlet \(outlet): block \(height) is missing from the store")
            }
            visited()
            var inRange: [String: CivilTime.Date] = [:]
            for (index, signed) in block.transactions.enumerated() {
                let date = dates.date(height: height, index: index, blockTimeMs: Int64(block.header.timestampMs))
                if from <= date && date <= to { inRange[signed.id.hex] = date }
            }
            if inRange.isEmpty {
                period += closesAt[height] ?? 0
                height += 1
                continue
            }
            let rows = try BlockRows(block: block, outlet: outlet, period: period, principal: { key in
                if let known = principals[key] { return known }
                let name = try state.read(.key(key)).map { try KeyRecord(canonicalBytes: $0).principal } ?? key.hex
                principals[key] = name
                return name
            }, sale: { id in try PostgresMirror.sale(id, store: store, transaction) })
            period = rows.period
            for table in BlockRows.tables {
                for row in rows.rows[table] ?? [] {
                    if table == "blocks" {
                        try emit("blocks.csv", AuditCSV.line(row))
                        continue
                    }
                    guard case .text(let id) = row[0], let date = inRange[id] else { continue }
                    try emit(table + ".csv", AuditCSV.line(table == "transactions" ? row + [.text(date.description)] : row))
                }
            }
            height += 1
        }
    }

    /// Every key each chain's registry holds at its exported head, then the genesis validators.
    private static func keys(store: LedgerStore, _ transaction: LMDBTransaction, emit: (String, [UInt8]) throws -> Void) throws {
        for outlet in store.genesis.outlets.map(\.id) {
            try store.stateReader(outlet, transaction).scan(.keys) { key, value in
                let record = try KeyRecord(canonicalBytes: value)
                try emit("keys.csv", AuditCSV.line([
                    .int(Int64(outlet)), .text(Hex.encode(key.key)), .text(record.role.description), .int(Int64(record.outletID)),
                    .text(record.principal), .text(status(record.status)),
                    record.validUntilMs == 0 ? .null : .int(Int64(record.validUntilMs)), .int(Int64(record.lastSequence)), .null,
                ]))
                return true
            }
        }
        for validator in store.genesis.validators {
            try emit("keys.csv", AuditCSV.line([.null, .text(validator.publicKey.hex), .text("validator"), .null, .text(validator.name),
                                                .text("active"), .null, .null, .int(Int64(validator.power))]))
        }
    }

    static func status(_ status: KeyStatus) -> String {
        switch status {
        case .active: "active"
        case .rotated: "rotated"
        case .revoked: "revoked"
        }
    }

    /// Every final checkpoint the store holds, in height order.
    private static func checkpoints(store: LedgerStore, emit: (String, [UInt8]) throws -> Void) throws {
        for certificate in try ConsensusStorage(environment: store.environment).all() {
            try emit("checkpoints.csv", AuditCSV.line(try CheckpointRows(certificate).checkpoint))
        }
    }
}
