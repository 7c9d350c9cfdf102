import ArgumentParser
import Foundation
import SGPOSCheckpointStore
import SGPOSChain
import SGPOSCodec
import SGPOSCommandSupport
import SGPOSConsensus
import SGPOSCrypto
import SGPOSPeerProtocol
import SGPOSStore

extension DebugCommand {
    /// Writes seed corpora for `sgpos-fuzz` (Tests/Fuzz/<target>/) from a demo network's
    /// data: real transactions of every body type, blocks, batches, peer messages,
    /// commit certificates, the genesis document and the shipped rules.
    struct FuzzSeeds: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fuzz-seeds", abstract: "Write fuzzing seed corpora from demo data.")
        @Option(help: "A demo directory (sgpos demo --dir).") var demo: String
        @Option(help: "The rules directory (Contracts/).") var contracts: String = "Contracts"
        @Option(help: "Where to write <target>/ directories.") var out: String

        func run() throws {
            let store = try openStore("\(demo)/outlet-1")
            var transactions: [String: SignedTransaction] = [:]  // one per body type
            var blocks: [Block] = []
            try store.environment.read { txn in
                for outlet in store.genesis.outlets.map(\.id) {
                    var height: UInt64 = 1
                    while let block = try store.block(outlet, height: height, txn) {
                        if height <= 2 || block.transactions.count > 3 && blocks.count < 12 { blocks.append(block) }
                        for transaction in block.transactions {
                            let name = typeName(transaction.envelope.body)
                            if transactions[name] == nil { transactions[name] = transaction }
                        }
                        height += 1
                    }
                }
            }
            for (name, transaction) in transactions { try write("transaction", name, transaction.encoded) }
            for (index, block) in blocks.enumerated() { try write("block", String(format: "%02d", index), block.encoded) }
            let sample = Array(transactions.values.sorted { $0.id.hex < $1.id.hex })
            try write("batch", "one", TransactionBatch(Array(sample.prefix(1))).encoded)
            try write("batch", "several", TransactionBatch(Array(sample.prefix(8))).encoded)
            let genesis = store.genesis
            let heads = try store.environment.read { txn in
                try genesis.outlets.map { try store.head($0.id, txn) }
            }
            let certificates = (try? ConsensusStorage(environment: store.environment).all(limit: 4)) ?? []
            var messages: [String: PeerMessage] = [
                "hello": .hello(chainID: genesis.chainID, genesisID: genesis.id, outlet: 1, nonce: Hash256.sha256([1])),
                "auth": .auth(signature: Signature(uncheckedBytes: [UInt8](repeating: 7, count: 64))),
                "heads": .heads(heads.enumerated().map { PeerHead(outlet: genesis.outlets[$0.offset].id, height: $0.element.height, blockID: $0.element.blockID) }),
                "get-blocks": .getBlocks(outlet: 2, from: 1, count: 32),
                "blocks": .blocks(Array(blocks.prefix(2))),
            ]
            for (index, certificate) in certificates.prefix(2).enumerated() {
                if let vote = certificate.precommits.first { messages["vote-\(index)"] = .consensus(.vote(vote)) }
                try write("certificate", "\(index)", certificate.canonicalBytes)
            }
            for (name, message) in messages { try write("peer", name, message.encoded) }
            try write("genesis", "demo", Array(try Data(contentsOf: URL(fileURLWithPath: "\(demo)/genesis.json"))))
            // Node configurations: the demo's, and one with every optional field set.
            try write("config", "demo", Array(try Data(contentsOf: URL(fileURLWithPath: "\(demo)/node-1.json"))))
            try write("config", "full", Array(#"""
                {"outletId": 2, "genesis": "genesis.json", "nodeKey": "keys/outlet-2.key", "validatorKeys": ["keys/v2.key"],
                 "http": {"host": "0.0.0.0", "port": 7102}, "peer": {"host": "0.0.0.0", "port": 7202},
                 "peers": [{"outletId": 1, "host": "10.0.0.1", "port": 7201}], "requestBytesMax": 1048576,
                 "batchRequestBytesMax": 4194304, "pendingMax": 20000, "allowFaultInjection": false,
                 "httpConnectionsMax": 1024, "httpConnectionsPerAddressMax": 256,
                 "tls": {"certificate": "tls/cert.pem", "privateKey": "tls/key.pem"}, "allowPlainHTTP": false,
                 "metricsWithoutSignature": false, "peerTLS": true}
                """#.utf8))
            // Submit bodies: the exact shape, spaced, and near misses the strict decoder must judge.
            if let first = transactions.sorted(by: { $0.key < $1.key }).first?.value {
                let hex = Hex.encode(first.encoded)
                let bodies: [(String, String)] = [
                    ("plain", "{\"transaction\":\"" + hex + "\"}"),
                    ("spaced", " {\n \"transaction\" : \"" + hex + "\" } "),
                    ("upper", "{\"transaction\":\"" + hex.uppercased() + "\"}"),
                    ("escaped", "{\"transaction\":\"\\u0030" + hex.dropFirst() + "\"}"),
                    ("extra", "{\"transaction\":\"" + hex + "\",\"x\":1}"),
                    ("twice", "{\"transaction\":\"00\",\"transaction\":\"" + hex + "\"}"),
                ]
                for (name, body) in bodies {
                    try write("submit", name, Array(body.utf8))
                }
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: contracts).sorted() where name.hasSuffix(".rules") {
                try write("rules", name, Array(try Data(contentsOf: URL(fileURLWithPath: "\(contracts)/\(name)"))))
            }
            print("seeds: \(transactions.count) transactions, \(blocks.count) blocks, \(messages.count) peer messages, \(certificates.prefix(2).count) certificates")
        }

        func write(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
            try FileManager.default.createDirectory(atPath: "\(out)/\(target)", withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(out)/\(target)/\(name)"))
        }

        func typeName(_ body: TransactionBody) -> String {
            switch body {
            case .registerOutlet: "register-outlet"
            case .registerKey: "register-key"
            case .rotateKey: "rotate-key"
            case .revokeKey: "revoke-key"
            // One seed per body type and version (a version above 1 is named, e.g. app-0100-v5).
            case .application(let type, let payload):
                String(format: "app-%04x", type) + (payload.first.map { $0 > 1 ? "-v\($0)" : "" } ?? "")
            }
        }
    }
}
