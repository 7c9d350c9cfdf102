import Foundation
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSNode
import SGPOSClient

extension DemoCommand {
    /// The head office changes outlet 3's validator key while the outlets trade: an
    /// admin-signed update removes the old key and adds the new one (which outlet 3's node
    /// already holds), handed to every node; the first checkpoint that carries it changes
    /// the set two heights later (docs/CONSENSUS.md §9). Returns the update, or nil
    /// without a checkpoint chain.
    func startValidatorKeyChange(network: DemoNetwork, nodes: DemoNodes) async throws -> (update: ValidatorUpdate, newKey: PublicKey)? {
        guard network.genesis.hasCheckpointChain else { return nil }
        let old = try KeyFile.load("\(dir)/keys/validator-3.key"), new = try KeyFile.load("\(dir)/keys/validator-3-next.key")
        let update = ValidatorUpdate(chainID: network.genesis.id, serial: 1,
                                     changes: [.init(key: old.publicKey, power: 0), .init(key: new.publicKey, power: 1)], admin: network.admin)
        for node in nodes.nodes { _ = try await node.client.submitValidatorUpdate(update) }
        print("== head office replaces outlet 3's validator key (update \(update.id.hex.prefix(16))…, signed by hq-admin, handed to every node)")
        return (update, new.publicKey)
    }

    /// The checkpoint that carried the key change, and the first one decided by the new
    /// set, with the new key among its signers. Returns the number of problems.
    func showValidatorKeyChange(nodes: DemoNodes, change: (update: ValidatorUpdate, newKey: PublicKey)?) async throws -> Int {
        guard let change, let observer = nodes.nodes.first else { return 0 }
        let decided = try await observer.client.checkpointStatus().checkpointHeight
        var carried: UInt64?
        for height in 1...max(decided, 1) where height <= decided {
            if try await observer.client.checkpoint(height).validatorUpdates.contains(change.update.id.hex) {
                carried = height
                break
            }
        }
        guard let carried else {
            print("   FAIL no checkpoint up to \(decided) carried the validator key change")
            return 1
        }
        let view = try await observer.client.validators()
        // The set of the height after next holds the new key once the update is carried.
        let set = view.current.height >= carried + 2 ? view.current : view.next
        guard let index = set.validators.first(where: { $0.publicKey == change.newKey.hex })?.index, set.height >= carried + 2 else {
            print("   FAIL checkpoint \(carried) carried the key change, but the set of height \(set.height) does not hold the new key")
            return 1
        }
        // Carried, it is no longer listed as pending (once the network state applied the
        // checkpoint that carried it: a moment after its decision).
        var stillPending = true
        for _ in 0..<50 {
            stillPending = try await observer.client.validators().pending.contains { $0.id == change.update.id.hex }
            if !stillPending { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        if stillPending {
            print("   FAIL checkpoint \(carried) carried the key change, but outlet \(observer.outlet)'s node still lists it as pending")
            return 1
        }
        var signedBy: UInt64?
        for height in (carried + 2)...max(decided, carried + 2) where height <= decided {
            if try await observer.client.checkpoint(height).signers.contains(index) {
                signedBy = height
                break
            }
        }
        print("   checkpoint \(carried) carried it; from checkpoint \(carried + 2) the set is \(set.validators.count) validators, "
            + "outlet 3 voting as validator \(index) with its new key"
            + (signedBy.map { ", first signing checkpoint \($0)" } ?? " (no checkpoint decided by the new set yet)"))
        return 0
    }
}
