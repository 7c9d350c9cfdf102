import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSOperations
import SGPOSState
import SGPOSStore
import SGPOSClient

/// The network-wide views of a node: provisional (the outlet chains it holds, outlets by
/// id, each at its head, combined: two nodes holding the same heads compute the same
/// view) and, in a network with a checkpoint chain, checkpointed (the network state as
/// of the last checkpoint this node applied, which every node agrees on through the
/// checkpoint's network root; docs/CONSENSUS.md §7).
public struct NetworkView: Sendable {
    let node: LedgerNode

    /// A member's accounts at every outlet that enrolled the member, and the total.
    public typealias MemberView = API.NetworkMember
    /// Inter-outlet transfers seen in any chain.
    public typealias TransferView = API.NetworkTransfers

    public func member(_ id: String, todayMs: Int64) throws -> MemberView {
        try node.read { transaction in
            var accounts: [MemberView.Account] = []
            var asOf: [String: UInt64] = [:]
            for outlet in node.genesis.outlets.map(\.id).sorted() {
                asOf[String(outlet)] = try node.store.head(outlet, transaction).height
                guard let standing = try OutletQuery(outlet: outlet).member(id, todayMs: todayMs, state: node.store.stateReader(outlet, transaction))
                else { continue }
                accounts.append(.init(outletId: outlet, points: standing.points, lifetimeSpend: decimal(standing.lifetimeSpend)))
            }
            return MemberView(memberId: id, accounts: accounts, points: accounts.reduce(0) { $0 + $1.points }, asOf: asOf,
                              checkpointed: try checkpointedMember(Array(id.utf8), transaction))
        }
    }

    func checkpointedMember(_ member: [UInt8], _ transaction: LMDBTransaction) throws -> MemberView.Checkpointed? {
        guard node.genesis.hasCheckpointChain, !member.isEmpty, member.count <= 255 else { return nil }
        let network = node.store.networkState(transaction)
        let height = try node.store.networkPosition(genesisRoot: NetworkLedger.genesisRoot(node.genesis.id), transaction).height
        let totals = try network.read(NetworkLedger.memberTotalsKey(member: member)).map { try NetworkMemberTotals(canonicalBytes: $0) }
            ?? NetworkMemberTotals()
        var accounts: [MemberView.CheckpointedAccount] = []
        let prefix = Array(NetworkLedger.memberAccountKey(member: member, outlet: 0).key.dropLast(4))
        for entry in try network.scan(.networkMemberAccounts, prefix: prefix, limit: Checkpoint.outletsMax) where entry.key.count == prefix.count + 4 {
            var decoder = CanonicalDecoder(Array(entry.key.suffix(4)))
            accounts.append(.init(outletId: try decoder.readU32("outlet"), points: try MemberAccount(canonicalBytes: entry.value).balance))
        }
        return .init(checkpointHeight: height, points: totals.balance, earned: totals.earned, redeemed: totals.redeemed,
                     expired: totals.expired, accounts: accounts)
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
            let network = node.genesis.hasCheckpointChain ? node.store.networkState(transaction) : nil
            let checkpointHeight = try network.map { _ in
                try node.store.networkPosition(genesisRoot: NetworkLedger.genesisRoot(node.genesis.id), transaction).height
            }
            let transfers = try halves.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { id -> TransferView.Transfer in
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
                let checkpointed = try network?.read(NetworkLedger.transferKey(id)).map { try NetworkTransfer(canonicalBytes: $0).status }
                return .init(transferId: Hex.encode(id), from: from, to: to, status: status, units: units, checkpointedStatus: checkpointed)
            }
            return TransferView(transfers: transfers, asOf: asOf, checkpointHeight: checkpointHeight)
        }
    }
}
