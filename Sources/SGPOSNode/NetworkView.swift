import SGPOSChain
import SGPOSCodec
import SGPOSCrypto
import SGPOSState
import SGPOSStore

/// The network-wide view a node can compute before checkpoints exist: the outlet chains
/// it holds, taken in one deterministic order (outlets by id, each at its head), combined.
/// Two nodes holding the same heads compute the same view. The consensus issue replaces
/// "the heads this node holds" with "the heads the last checkpoint covers".
public struct NetworkView: Sendable {
    let node: LedgerNode

    /// A member's accounts at every outlet that enrolled the member, and the total.
    public struct MemberView: Codable, Sendable {
        public struct Account: Codable, Sendable {
            public var outletId: UInt32
            public var points: Int64
            public var lifetimeSpend: String
        }
        public var memberId: String
        public var accounts: [Account]
        public var points: Int64
        /// The heads this view was computed over: outlet id → height.
        public var asOf: [String: UInt64]
    }

    /// Inter-outlet transfers seen in any chain: matched when both halves carry the same
    /// lines, pending while one half is missing, mismatched otherwise.
    public struct TransferView: Codable, Sendable {
        public struct Transfer: Codable, Sendable {
            public var transferId: String
            public var from: UInt32
            public var to: UInt32
            public var status: String
            public var units: Int64
        }
        public var transfers: [Transfer]
        public var asOf: [String: UInt64]
    }

    public func member(_ id: String, todayMs: Int64) throws -> MemberView {
        try node.read { transaction in
            var accounts: [MemberView.Account] = []
            var asOf: [String: UInt64] = [:]
            for outlet in node.genesis.outlets.map(\.id).sorted() {
                asOf[String(outlet)] = try node.store.head(outlet, transaction).height
                guard var account = try node.store.stateReader(outlet, transaction).memberAccount(id) else { continue }
                account.dropExpired(today: SaleCalculator.day(todayMs))
                accounts.append(.init(outletId: outlet, points: account.balance, lifetimeSpend: decimal(account.lifetimeSpend)))
            }
            return MemberView(memberId: id, accounts: accounts, points: accounts.reduce(0) { $0 + $1.points }, asOf: asOf)
        }
    }

    public func transfers(limit: Int = 1_000) throws -> TransferView {
        try node.read { transaction in
            let database = try node.store.database(named: "state")
            var halves: [[UInt8]: (out: TransferRecord?, into: TransferRecord?)] = [:]
            var asOf: [String: UInt64] = [:]
            for outlet in node.genesis.outlets.map(\.id).sorted() {
                asOf[String(outlet)] = try node.store.head(outlet, transaction).height
                let prefix = StoreLayout.stateKey(outlet, StateKey(.transfers, []))
                try transaction.scan(database, from: prefix, limit: limit) { key, value in
                    guard key.starts(with: prefix), key.count == prefix.count + TransferID.byteCount + 1 else { return false }
                    let id = Array(key[prefix.count..<(prefix.count + TransferID.byteCount)])
                    let record = try TransferRecord(canonicalBytes: value)
                    var entry = halves[id] ?? (nil, nil)
                    if key.last == 1 { entry.out = record } else { entry.into = record }
                    halves[id] = entry
                    return true
                }
            }
            let transfers = halves.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { id -> TransferView.Transfer in
                let (out, into) = halves[id]!
                let from = out?.outlet ?? into!.counterpart
                let to = out?.counterpart ?? into!.outlet
                let status: String
                switch (out, into) {
                case (let out?, let into?):
                    status = out.lines == into.lines && out.counterpart == into.outlet && into.counterpart == out.outlet ? "matched" : "mismatched"
                case (_?, nil): status = "in-transit"
                default: status = "received-without-dispatch"
                }
                let units = (out ?? into!).lines.reduce(0) { $0 + $1.quantity }
                return .init(transferId: Hex.encode(id), from: from, to: to, status: status, units: units)
            }
            return TransferView(transfers: transfers, asOf: asOf)
        }
    }
}
