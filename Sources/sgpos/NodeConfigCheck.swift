import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCommandSupport
import SGPOSCrypto
import SGPOSNode
import SGPOSStore
import SGPOSState

/// What `sgpos node check-config` finds wrong with a configuration, one sentence per
/// problem naming the field: what `node run` would refuse, and what it would accept but
/// an operator should not (a key others can read, a port already taken, a peer missing).
enum NodeConfigCheck {
    static func problems(configPath: String, dataDirectory: String?, checkPorts: Bool) -> [String] {
        let config: NodeConfig
        do {
            config = try NodeConfig.load(configPath)
        } catch {
            return ["\(error)"]
        }
        var problems: [String] = []
        func resolve(_ path: String) -> String { NodeConfig.resolve(path, relativeTo: configPath) }

        var genesis: Genesis?
        do {
            genesis = try loadGenesis(resolve(config.genesis))
        } catch {
            problems.append("genesis: \(error)")
        }
        if let genesis, genesis.outlet(config.outletId) == nil {
            problems.append("outletId: \(config.outletId) is not an outlet of the genesis (\(genesis.outlets.map { String($0.id) }.joined(separator: ", ")))")
        }
        do {
            let key = try KeyFile.load(resolve(config.nodeKey))
            if let expected = genesis?.outlet(config.outletId)?.nodeKey, key.publicKey != expected {
                problems.append("nodeKey: \(config.nodeKey) holds key \(key.publicKey.hex), not outlet \(config.outletId)'s genesis node key \(expected.hex)")
            }
        } catch {
            problems.append("nodeKey: \(error)")
        }
        for (index, path) in (config.validatorKeys ?? []).enumerated() {
            do {
                _ = try KeyFile.load(resolve(path))
            } catch {
                problems.append("validatorKeys[\(index)]: \(error)")
            }
        }
        if let tls = config.tls {
            for (field, path) in [("tls.certificate", tls.certificate), ("tls.privateKey", tls.privateKey)] {
                guard FileManager.default.isReadableFile(atPath: resolve(path)) else {
                    problems.append("\(field): cannot read \(resolve(path))")
                    continue
                }
                if field == "tls.privateKey", let mode = permissions(resolve(path)), mode & 0o077 != 0 {
                    problems.append("tls.privateKey: \(resolve(path)) has mode \(String(mode, radix: 8)); others may read it (chmod 600)")
                }
            }
        }
        if config.http.port == config.peer.port, config.http.host == config.peer.host {
            problems.append("peer.port: \(config.peer.port) is also http.port")
        }
        var seen = Set<UInt32>()
        for (index, peer) in config.peers.enumerated() {
            if peer.outletId == config.outletId { problems.append("peers[\(index)].outletId: \(peer.outletId) is this node's own outlet") }
            if !seen.insert(peer.outletId).inserted { problems.append("peers[\(index)].outletId: outlet \(peer.outletId) is listed twice") }
            if let genesis, genesis.outlet(peer.outletId) == nil { problems.append("peers[\(index)].outletId: \(peer.outletId) is not an outlet of the genesis") }
        }
        if let genesis {
            let missing = genesis.outlets.map(\.id).filter { $0 != config.outletId && !seen.contains($0) }
            if !missing.isEmpty {
                problems.append("peers: no entry for outlet(s) \(missing.map(String.init).joined(separator: ", ")) of the genesis; their chains would reach this node only through others")
            }
        }
        if checkPorts {
            for (field, endpoint) in [("http", config.http), ("peer", config.peer)] {
                if let problem = ListenCheck.problem(host: endpoint.host, port: endpoint.port) { problems.append("\(field): \(problem)") }
            }
        }
        if let dataDirectory {
            let ledger = LedgerStore.ledgerDirectory(dataDirectory) + "/data.mdb"
            if FileManager.default.fileExists(atPath: ledger) {
                do {
                    let store = try LedgerStore.open(dataDirectory: dataDirectory, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
                    if let genesis, store.genesis.id != genesis.id {
                        problems.append("genesis: \(dataDirectory) holds a ledger of genesis \(store.genesis.id), the configuration names \(genesis.id)")
                    }
                } catch {
                    problems.append("data: \(dataDirectory): \(error)")
                }
            } else if FileManager.default.fileExists(atPath: dataDirectory), !FileManager.default.isWritableFile(atPath: dataDirectory) {
                problems.append("data: \(dataDirectory) is not writable by this user")
            }
        }
        return problems
    }

    static func permissions(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
    }
}
