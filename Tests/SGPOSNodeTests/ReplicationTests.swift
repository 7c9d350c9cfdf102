import Foundation
import Logging
@testable import SGPOSNode
import SGPOSAudit
import SGPOSChain
import SGPOSCodec
import SGPOSConsensus
import SGPOSCrypto
import SGPOSState
import SGPOSStore
import SGPOSTestSupport
import Testing
import SGPOSPeerProtocol

/// Replica blocks: validated like the auditor validates them before they are stored; an
/// outlet that signs two blocks at one height leaves evidence; gaps wait for catch-up.
@Suite struct ReplicationTests {
    final class Directory {
        let path = NSTemporaryDirectory() + "sgpos-node-test-\(UUID().uuidString)"
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A block of outlet 1 registering one till, produced by its writer in its own store.
    func outletOneBlock(_ network: TestNetwork, till: String, in directory: Directory) throws -> Block {
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis,
                                           options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: store, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        _ = try writer.append([network.registerTill(TestNetwork.key(till), principal: till, sequence: 1)], timestampMs: 1_700_000_000_000)
        return try store.environment.read { try store.block(1, height: 1, $0)! }
    }

    func replicaNode(_ network: TestNetwork, _ directory: Directory) throws -> (Replicator, LedgerNode) {
        let store = try LedgerStore.create(dataDirectory: directory.path, genesis: network.genesis,
                                           options: .init(durability: .unsafeNoSyncForTests))
        let config = NodeConfig(outletId: 2, genesis: "g", nodeKey: "k", http: .init(host: "127.0.0.1", port: 1),
                                peer: .init(host: "127.0.0.1", port: 2), peers: [])
        let node = try LedgerNode(config: config, dataDirectory: directory.path, store: store, nodeKey: network.nodeKeys[1],
                                  logger: Logger(label: "test"))
        return (try Replicator(node: node, logger: Logger(label: "test")), node)
    }

    @Test func aValidReplicaIsStoredAndAnEquivocationLeavesEvidence() throws {
        let network = TestNetwork()
        let (a, b, replica) = (Directory(), Directory(), Directory())
        let honest = try outletOneBlock(network, till: "till-a", in: a)
        let conflicting = try outletOneBlock(network, till: "till-b", in: b)
        #expect(honest.id != conflicting.id && honest.header.height == conflicting.header.height)
        let (replicator, node) = try replicaNode(network, replica)
        #expect(try replicator.apply(honest))
        #expect(try node.heads().first { $0.outletID == 1 }!.blockID == honest.id)
        #expect(try !replicator.apply(conflicting), "the second block at height 1 is not stored")
        #expect(try !replicator.apply(honest), "the same block again changes nothing")
        let evidence = try FileManager.default.contentsOfDirectory(atPath: replica.path + "/evidence")
        #expect(evidence.count == 1 && evidence[0].hasPrefix("outlet-1-height-1-"))
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: replica.path + "/evidence/" + evidence[0]))) as? [String: Any]
        #expect(record?["heldId"] as? String == honest.id.hex && record?["conflictingId"] as? String == conflicting.id.hex)
        // An auditor checks the file from the signatures alone; a doctored one proves nothing.
        let items = EvidenceAudit.check(directory: replica.path + "/evidence", genesis: network.genesis, validators: network.genesis.hasCheckpointChain ? ValidatorSchedule(genesis: network.genesis) : nil)
        #expect(items.count == 1 && items[0].proven, "\(items)")
        var doctored = try #require(record)
        doctored["conflicting"] = doctored["held"]
        try JSONSerialization.data(withJSONObject: doctored).write(to: URL(fileURLWithPath: replica.path + "/evidence/" + evidence[0]))
        let again = EvidenceAudit.check(directory: replica.path + "/evidence", genesis: network.genesis, validators: network.genesis.hasCheckpointChain ? ValidatorSchedule(genesis: network.genesis) : nil)
        #expect(again.count == 1 && !again[0].proven, "\(again)")
    }

    @Test func aTamperedReplicaIsRefusedAndChangesNothing() throws {
        let network = TestNetwork()
        let (a, replica) = (Directory(), Directory())
        let block = try outletOneBlock(network, till: "till-a", in: a)
        var bytes = block.encoded
        bytes[bytes.count - 5] ^= 0x01  // inside the transaction's signature
        let tampered = try Block(encoded: bytes)
        let (replicator, node) = try replicaNode(network, replica)
        #expect(throws: (any Error).self) { try replicator.apply(tampered) }
        #expect(try node.heads().first { $0.outletID == 1 }!.height == 0)
        #expect(try replicator.apply(block), "the genuine block still applies")
    }

    /// A catching-up node verifies a message's signatures on all cores before it applies
    /// the blocks without checking them again: a block it already holds is not verified,
    /// a block with one forged transaction signature (re-sealed by its producer, so only the
    /// signature is wrong) is refused with rule 4, and the blocks before it are kept.
    @Test func aMessageWithAForgedSignatureKeepsTheBlocksBeforeIt() throws {
        let network = TestNetwork()
        let (a, replica) = (Directory(), Directory())
        let source = try LedgerStore.create(dataDirectory: a.path, genesis: network.genesis, options: .init(durability: .unsafeNoSyncForTests))
        let writer = try OutletChainWriter(store: source, nodeKey: network.nodeKeys[0], rules: POSRules.chainRules)
        var sequence: UInt64 = 0
        for block in 1...4 {
            let batch = (0..<3).map { index -> SignedTransaction in
                sequence += 1
                return network.registerTill(TestNetwork.key("till-\(block)-\(index)"), principal: "till-\(block)-\(index)", sequence: sequence)
            }
            _ = try writer.append(batch, timestampMs: 1_700_000_000_000 + UInt64(block))
        }
        let blocks = try source.environment.read { transaction in try (1...4).map { try source.block(1, height: UInt64($0), transaction)! } }
        var forgedTransactions = blocks[2].transactions
        var signed = forgedTransactions[1].encoded
        signed[signed.count - 3] ^= 0x01  // inside the signature
        forgedTransactions[1] = try SignedTransaction(encoded: signed)
        var header = blocks[2].header
        header.transactionRoot = MerkleTree.root(leafHashes: forgedTransactions.map { MerkleTree.leafHash($0.id.bytes) })
        let forged = Block.seal(header: header, transactions: forgedTransactions, key: network.nodeKeys[0])

        let (replicator, node) = try replicaNode(network, replica)
        #expect(try replicator.apply(blocks[0]))
        let message = [blocks[0], blocks[1], forged, blocks[3]]
        let checked = try replicator.prepareForApply(message)
        #expect(checked.signaturesChecked == [false, true, false, true], "held: not verified; forged: not trusted")
        #expect(checked.stored.map { $0 != nil } == [false, true, true, true], "compressed: every block above the held head")
        let applied = try replicator.applyAll(message, prepared: checked)
        #expect(applied.map(\.header.height) == [2])
        #expect(try node.heads().first { $0.outletID == 1 }!.height == 2)
        #expect { try replicator.apply(forged) } throws: { error in
            (error as? BlockRejection)?.rejection.reason == .badSignature
        }
        #expect(try replicator.applyAll([blocks[2], blocks[3]], prepared: replicator.prepareForApply([blocks[2], blocks[3]])).count == 2)
    }

    @Test func peerMessagesRoundTripAndGarbageIsRefused() throws {
        let network = TestNetwork()
        let messages: [PeerMessage] = [
            .hello(chainID: network.genesis.chainID, genesisID: network.genesis.id, outlet: 3, nonce: Hash256.sha256([1])),
            .auth(signature: network.nodeKeys[0].sign([1, 2, 3])),
            .heads([PeerHead(outlet: 1, height: 9, blockID: Hash256.sha256([2]))]),
            .getBlocks(outlet: 1, from: 4, count: 32),
        ]
        for message in messages {
            #expect(try PeerMessage(decoding: message.encoded) == message)
            #expect(throws: CodecError.self) { try PeerMessage(decoding: message.encoded + [0]) }
        }
        #expect(throws: CodecError.self) { try PeerMessage(decoding: [9]) }
        #expect(throws: CodecError.self) { try PeerMessage(decoding: []) }
        let message = PeerMessage.authMessage(genesisID: network.genesis.id, peerNonce: Hash256.sha256([7]), signer: 1)
        #expect(network.nodeKeys[0].publicKey.isValidSignature(network.nodeKeys[0].sign(message), for: message))
        #expect(message != PeerMessage.authMessage(genesisID: network.genesis.id, peerNonce: Hash256.sha256([7]), signer: 2),
                "the signer's outlet is inside what it signs")
    }
}
