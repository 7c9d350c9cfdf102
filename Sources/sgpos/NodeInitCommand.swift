import ArgumentParser
import Foundation
import SGPOSChain
import SGPOSCodec
import SGPOSCommandSupport
import SGPOSCrypto
import SGPOSNode
import SGPOSStore

extension NodeCommand {
    /// `sgpos node init`: a node's directory from a genesis and its node key.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a node's directory: its genesis, keys, TLS material and a commented configuration naming every option.",
            discussion: """
                Writes DIR/genesis.json (a copy), DIR/keys/node.key (a copy of --node-key, mode 0600; it must be the \
                genesis's node key of --outlet), DIR/keys/validator.key (with --validator-key), DIR/tls/ (the API's \
                certificate, key and authority, as `sgpos node certificate` makes them) and DIR/node.json: every \
                option with its default, each explained in a `//` comment. Then `sgpos node check-config DIR/node.json` \
                and `sgpos node run --data DIR/data --config DIR/node.json` (docs/OPERATIONS.md §3a). \
                Refuses to overwrite an existing DIR/node.json.
                """)
        @Option(help: "The network's genesis file.") var genesis: String
        @Option(help: "This node's outlet id (in the genesis).") var outlet: UInt32
        @Option(help: "This outlet's node key file (made with the genesis).") var nodeKey: String
        @Option(help: "A validator key file this node votes with (a genesis validator's).") var validatorKey: String?
        @Option(help: "Directory to create (the node's home).") var dir: String
        @Option(help: "Address the API listens on (loopback: plain HTTP allowed; any other: HTTPS).") var httpHost = "127.0.0.1"
        @Option(help: "Port of the API.") var httpPort = 7101
        @Option(help: "Address the peer protocol listens on.") var peerHost = "127.0.0.1"
        @Option(help: "Port of the peer protocol.") var peerPort = 7201
        @Option(name: .customLong("peer"), help: "Another outlet's node: OUTLET@HOST:PORT (repeat for each).") var peers: [String] = []
        @Option(name: .customLong("tls-host"), help: "A name or address tills reach the API by, for its certificate (repeat; default the API host, 127.0.0.1 and localhost).")
        var tlsHosts: [String] = []

        func run() throws {
            let genesisValue = try loadGenesis(genesis)
            guard let entry = genesisValue.outlet(outlet) else {
                throw CLIError("--outlet \(outlet) is not in the genesis (its outlets: \(genesisValue.outlets.map { String($0.id) }.joined(separator: ", ")))")
            }
            let key = try KeyFile.load(nodeKey)
            guard key.publicKey == entry.nodeKey else {
                throw CLIError("--node-key \(nodeKey) holds key \(key.publicKey.hex), not outlet \(outlet)'s genesis node key \(entry.nodeKey.hex)")
            }
            let validator = try validatorKey.map { path in
                let loaded = try KeyFile.load(path)
                guard genesisValue.validators.contains(where: { $0.publicKey == loaded.publicKey }) else {
                    throw CLIError("--validator-key \(path) is not a validator of the genesis")
                }
                return loaded
            }
            let parsedPeers = try peers.map { try Self.peer($0, genesis: genesisValue, own: outlet) }
            let config = dir + "/node.json"
            guard !FileManager.default.fileExists(atPath: config) else { throw CLIError("\(config) exists; refusing to overwrite a node's configuration") }
            for sub in ["", "/keys", "/tls"] {
                try FileManager.default.createDirectory(atPath: dir + sub, withIntermediateDirectories: true,
                                                       attributes: [.posixPermissions: sub == "/keys" ? 0o700 : 0o755])
            }
            try writeFile(try Data(contentsOf: URL(fileURLWithPath: genesis)), to: dir + "/genesis.json")
            try KeyFile(label: "node of outlet \(outlet)", key: key).write(to: dir + "/keys/node.key")
            if let validator { try KeyFile(label: "validator of outlet \(outlet)", key: validator).write(to: dir + "/keys/validator.key") }
            let hosts = tlsHosts.isEmpty ? Array(Set([httpHost, "127.0.0.1", "localhost"]).sorted()) : tlsHosts
            let made = try NodeTLS.selfSigned(hosts: hosts)
            try writeFile(Data(made.certificatePEM.utf8), to: dir + "/tls/api-cert.pem")
            try writeFile(Data(made.privateKeyPEM.utf8), to: dir + "/tls/api-key.pem", private: true)
            try writeFile(Data(made.authorityPEM.utf8), to: dir + "/tls/api-ca.pem")
            let text = NodeConfigTemplate.render(outlet: outlet, http: .init(host: httpHost, port: httpPort),
                                                 peer: .init(host: peerHost, port: peerPort), peers: parsedPeers,
                                                 validatorKey: validator == nil ? nil : "keys/validator.key")
            _ = try NodeConfig.decode(Data(text.utf8), path: config)   // what it writes, it reads
            try writeFile(Data(text.utf8), to: config)
            print("node of outlet \(outlet) (\(entry.name)) in \(dir): configuration \(config), keys in \(dir)/keys (0600), TLS in \(dir)/tls")
            print("tills pin \(dir)/tls/api-ca.pem, SHA-256 fingerprint \(made.sha256Fingerprint)")
            print("next: sgpos node check-config \(config) && sgpos node run --data \(dir)/data --config \(config)")
        }

        static func peer(_ text: String, genesis: Genesis, own: UInt32) throws -> NodeConfig.Peer {
            let parts = text.split(separator: "@", maxSplits: 1)
            guard parts.count == 2, let outlet = UInt32(parts[0]), let colon = parts[1].lastIndex(of: ":"),
                  let port = Int(parts[1][parts[1].index(after: colon)...]), (1...65_535).contains(port) else {
                throw CLIError("--peer \(text): expected OUTLET@HOST:PORT, e.g. 2@10.0.0.12:7201")
            }
            guard outlet != own, genesis.outlet(outlet) != nil else { throw CLIError("--peer \(text): outlet \(outlet) is not another outlet of the genesis") }
            return .init(outletId: outlet, host: String(parts[1][..<colon]), port: port)
        }
    }

    /// `sgpos node check-config`: a configuration checked as `node run` would use it.
    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config",
            abstract: "Check a node's configuration: unknown or mistyped fields, missing files, keys that do not match the genesis, unsafe permissions, port clashes.",
            discussion: "Prints one line per problem, naming the field, and exits 1 if there is any; `ok …` and exit 0 otherwise. "
                + "Run it before `node run` (with the node running, its own ports are in use: --skip-ports).")
        @Argument(help: "The configuration file.") var config: String
        @Option(help: "The node's data directory, to check it belongs to this genesis.") var data: String?
        @Flag(help: "Do not check that the ports are free (the node is running).") var skipPorts = false

        func run() throws {
            let problems = NodeConfigCheck.problems(configPath: config, dataDirectory: data, checkPorts: !skipPorts)
            for problem in problems { print("\(config): \(problem)") }
            guard problems.isEmpty else { throw ExitCode(1) }
            print("ok \(config)")
        }
    }
}
