import Foundation
import Logging
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSStore
import Synchronization

/// Watches other outlets' clocks against their own acknowledgements of checkpoints
/// (docs/CONSENSUS.md §11): keeps the newest ``CheckpointAck`` of each outlet (in memory
/// and in `acks/outlet-<id>.bin` under the data directory, so a restart keeps it), and
/// turns any block of that outlet above the acknowledged height stamped before the
/// acknowledged agreed time less twice the precision into evidence
/// (`evidence/clock-outlet-<id>-height-<h>.bin`, the first such block only: one item
/// proves it), which the next checkpoint carries.
final class ClockWatch: Sendable {
    let node: LedgerNode
    private let acks: Mutex<[OutletID: CheckpointAck]>
    private let directory: String

    init(node: LedgerNode) {
        self.node = node
        directory = node.dataDirectory + "/acks"
        var loaded: [OutletID: CheckpointAck] = [:]
        for outlet in node.genesis.outlets.map(\.id) where outlet != node.outletID {
            if let data = FileManager.default.contents(atPath: "\(directory)/outlet-\(outlet).bin"),
               let ack = try? CheckpointAck(canonicalBytes: Array(data)), ack.outlet == outlet, ack.isValid(genesis: node.genesis) {
                loaded[outlet] = ack
            }
        }
        acks = Mutex(loaded)
    }

    /// The newest acknowledgement kept for `outlet`.
    func ack(of outlet: OutletID) -> CheckpointAck? { acks.withLock { $0[outlet] } }

    /// Keeps `ack` (signed by `outlet`'s node key, this network's) when it names a later
    /// agreed time than the one kept; then checks the blocks held above its height.
    /// Returns the evidence found, if any.
    @discardableResult
    func receive(_ ack: CheckpointAck, from outlet: OutletID) throws -> CheckpointEvidence? {
        guard ack.outlet == outlet, outlet != node.outletID, ack.isValid(genesis: node.genesis) else { return nil }
        let newer = acks.withLock { acks -> Bool in
            guard (acks[outlet]?.checkpointTimeMs ?? 0) < ack.checkpointTimeMs else { return false }
            acks[outlet] = ack
            return true
        }
        guard newer else { return nil }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(ack.canonicalBytes).write(to: URL(fileURLWithPath: "\(directory)/outlet-\(outlet).bin"), options: .atomic)
        // Blocks that arrived before the acknowledgement (at most a bounded walk).
        // Headers and signatures only: a clock regression is proven by a signed header.
        let held = try node.read { transaction -> [(header: BlockHeader, signature: Signature)] in
            let head = try node.store.head(outlet, transaction).height
            var found: [(header: BlockHeader, signature: Signature)] = []
            var height = ack.headHeight + 1
            while height <= head, found.count < 256, let signed = try node.store.blockHeader(outlet, height: height, transaction) {
                found.append(signed)
                height += 1
            }
            return found
        }
        for signed in held { if let evidence = try check(signed.header, signature: signed.signature) { return evidence } }
        return nil
    }

    /// ``check(_:signature:)`` of a block's signed header.
    @discardableResult
    func check(_ block: Block) throws -> CheckpointEvidence? { try check(block.header, signature: block.signature) }

    /// Evidence when the block of `header` (another outlet's, signed with `signature`)
    /// breaks that outlet's newest acknowledgement; recorded in the evidence directory.
    @discardableResult
    func check(_ header: BlockHeader, signature: Signature) throws -> CheckpointEvidence? {
        let outlet = header.outletID
        guard outlet != node.outletID, let ack = ack(of: outlet), header.height > ack.headHeight,
              UInt64(header.timestampMs) < ack.earliestBlockTimeMs(node.genesis.timeParameters) else { return nil }
        let evidence = CheckpointEvidence.clockRegression(ack, .init(header: header.canonicalBytes, signature: signature))
        guard evidence.isProven(genesis: node.genesis, validators: ValidatorSchedule(genesis: node.genesis)) else { return nil }
        // One item per outlet proves it: a frozen clock breaks every later block, and the
        // evidence directory must not grow with them.
        let directory = node.dataDirectory + "/evidence"
        let held = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard !held.contains(where: { $0.hasPrefix("clock-outlet-\(outlet)-") }) else { return nil }
        try EvidenceStore.record(evidence, name: "clock-outlet-\(outlet)-height-\(header.height)", directory: directory)
        node.logger.error("CLOCK WENT BACK: outlet \(outlet) stamped block \(header.height) at \(header.timestampMs) ms after acknowledging checkpoint \(ack.checkpointHeight) at \(ack.checkpointTimeMs) ms (its height then \(ack.headHeight)); evidence kept")
        return evidence
    }
}
