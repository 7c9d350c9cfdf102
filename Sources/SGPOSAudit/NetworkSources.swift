import SGPOSChain
import SGPOSCodec
import SGPOSState

/// The network-state source changes of every block the audit replayed, by outlet and
/// height (only non-empty ones), and how far each chain was verified.
struct NetworkSources: Sendable {
    private var changes: [OutletID: [UInt64: WriteSet]] = [:]
    private(set) var verifiedHeights: [OutletID: UInt64] = [:]

    mutating func record(_ outlet: OutletID, _ height: UInt64, _ writes: WriteSet) {
        verifiedHeights[outlet] = height
        let sources = writes.filtered(StateTable.networkSources)
        if !sources.isEmpty { changes[outlet, default: [:]][height] = sources }
    }

    /// Adds another outlet's record (each outlet is recorded by one chain's replay).
    mutating func merge(_ other: NetworkSources) {
        changes.merge(other.changes) { mine, _ in mine }
        verifiedHeights.merge(other.verifiedHeights) { mine, _ in mine }
    }

    /// Whether the audit replayed and verified outlet block `height`.
    func verified(_ outlet: OutletID, _ height: UInt64) -> Bool { height <= verifiedHeights[outlet] ?? 0 }

    func changes(_ outlet: OutletID, _ height: UInt64) -> WriteSet { changes[outlet]?[height] ?? WriteSet() }

    /// Every points claim the replayed chains made (claimant, record), outlets ascending, by height.
    func claims() throws -> [(claimant: OutletID, record: ClaimRecord)] {
        var found: [(OutletID, ClaimRecord)] = []
        for outlet in changes.keys.sorted() {
            for height in changes[outlet]!.keys.sorted() {
                for (key, value) in changes[outlet]![height]!.sortedEntries where key.table == .pointsClaims {
                    if let value { found.append((outlet, try ClaimRecord(canonicalBytes: value))) }
                }
            }
        }
        return found
    }
}
