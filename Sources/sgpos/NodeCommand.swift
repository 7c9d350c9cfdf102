import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals
import SGPOSCommandSupport
import SGPOSChain
import SGPOSCheckpointStore
import SGPOSConsensus
import SGPOSNode
import SGPOSStore
import SGPOSClient
import SGPOSState

/// `sgpos node run`: one outlet's node as a service: the till/auditor HTTP API, the
/// peer protocol, group commit; graceful shutdown on SIGTERM/SIGINT.
struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Run an outlet node.", subcommands: [Init.self, CheckConfig.self, Run.self, Recover.self, Certificate.self])

    struct Recover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark this node's validator as recovering after its signing state was lost.",
            discussion: """
                On its next start the validator signs nothing until it has heard the heights of a quorum of the \
                other validators, then votes only above the highest (docs/CONSENSUS.md §3). Use it when `node run` \
                refuses to start because the validator state is missing, or after restoring an old backup.
                """)
        @Option(help: "Node data directory.") var data: String

        func run() throws {
            let store = try LedgerStore.open(dataDirectory: data, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
            let storage = try ConsensusStorage(environment: store.environment)
            let checkpoints = try storage.latest()?.height ?? 0
            try storage.markRecovering()
            print("validator of \(data) marked as recovering (\(checkpoints) checkpoints stored); start it with `sgpos node run`")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the till/auditor HTTP API and replicate with peers until SIGTERM or SIGINT.",
            discussion: "The configuration file is described in docs/OPERATIONS.md; the API in docs/openapi.json.")
        @Option(help: "Node data directory (its ledger; created from the genesis on first start).") var data: String
        @Option(help: "Node configuration file (JSON).") var config: String
        @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"
        @Flag(help: "Demos and drills only: honour allowFaultInjection in the configuration (without this flag it is ignored).")
        var demoFaultInjection = false
        @Option(help: ArgumentHelp("Drills only, with --demo-fault-injection: run this node's ledger clock (block times, checkpoint times, the dates of prices and GST rates) this many milliseconds from the system clock; TLS and request signatures keep the system clock (docs/OPERATIONS.md, \"Clock drills\").", valueName: "ms"))
        var drillClockOffsetMs: Int64 = 0

        func run() async throws {
            guard drillClockOffsetMs == 0 || demoFaultInjection else {
                throw ValidationError("--drill-clock-offset-ms is a drill: it needs --demo-fault-injection")
            }
            guard abs(drillClockOffsetMs) <= 366 * 86_400_000 else { throw ValidationError("--drill-clock-offset-ms must be within a year either way") }
            wallClockOffsetMs.store(drillClockOffsetMs, ordering: .relaxed)
            var config = try NodeConfig.load(self.config)
            let faultInjectionIgnored = config.allowFaultInjection == true && !demoFaultInjection
            if faultInjectionIgnored { config.allowFaultInjection = false }
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            var logger = Logger(label: "sgpos.node")
            logger[metadataKey: "outlet"] = "\(config.outletId)"
            if faultInjectionIgnored {
                logger.warning("allowFaultInjection is set in \(self.config) but ignored: fault drills need --demo-fault-injection")
            }
            if drillClockOffsetMs != 0 {
                logger.warning("clock drill: this node's ledger clock runs \(drillClockOffsetMs) ms from the system clock")
            }
            for (field, endpoint) in [("http", config.http), ("peer", config.peer)] {
                if let problem = ListenCheck.problem(host: endpoint.host, port: endpoint.port) {
                    throw CLIError("\(self.config): \(field): \(problem)")
                }
            }
            let metrics = NodeMetrics.bootstrap()
            let genesis = try loadGenesis(NodeConfig.resolve(config.genesis, relativeTo: self.config))
            let store: LedgerStore
            if FileManager.default.fileExists(atPath: LedgerStore.ledgerDirectory(data) + "/data.mdb") {
                store = try LedgerStore.open(dataDirectory: data, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
                guard store.genesis.id == genesis.id else {
                    throw CLIError("\(data) holds a ledger of genesis \(store.genesis.id), the configuration names \(genesis.id)")
                }
            } else {
                store = try LedgerStore.create(dataDirectory: data, genesis: genesis, options: LedgerStore.Options(recordReferences: POSRules.recordReferences))
                try writeFile(try JSON.encode(NodeFile(outletId: config.outletId)), to: data + "/node.json")
            }
            let node = try LedgerNode(config: config, dataDirectory: data, store: store,
                                      nodeKey: try KeyFile.load(NodeConfig.resolve(config.nodeKey, relativeTo: self.config)),
                                      validatorKeys: try (config.validatorKeys ?? []).map { try KeyFile.load(NodeConfig.resolve($0, relativeTo: self.config)) },
                                      logger: logger)
            let checkpoints = try CheckpointService(node: node, logger: logger)
            let replicator = try Replicator(node: node, logger: logger, checkpoints: checkpoints)
            await checkpoints?.attach { target, message in await replicator.sendConsensus(target, message) }
            await checkpoints?.attachAcks { ack in await replicator.sendAck(ack) }
            let api = NodeAPI(node: node, replicator: replicator, metrics: metrics, checkpoints: checkpoints)
            let tls = try config.tls.map {
                try NodeTLS.serverConfiguration(certificate: NodeConfig.resolve($0.certificate, relativeTo: self.config),
                                                privateKey: NodeConfig.resolve($0.privateKey, relativeTo: self.config))
            }
            let app = try api.application(tls: tls)
            let head = try node.read { try store.head(config.outletId, $0) }
            logger.notice("outlet \(config.outletId) node: chain height \(head.height); API on \(tls == nil ? "http" : "https")://\(config.http.host):\(config.http.port), peers on \(config.peer.host):\(config.peer.port)")
            let services = ServiceGroup(configuration: .init(
                services: [.init(service: app), .init(service: replicator),
                           .init(service: ReportAggregationService(node: node, logger: logger))]
                    + (config.exportPostgresURL.map { [.init(service: PostgresExportService(store: store, url: $0, logger: logger))] } ?? [])
                    + (checkpoints.map { [.init(service: $0), .init(service: ClaimSettlementService(node: node, logger: logger))] } ?? []),
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await services.run()
            logger.notice("outlet \(config.outletId) node stopped")
        }
    }

    struct Certificate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the node's own TLS certificates for its HTTPS API.",
            discussion: "Writes DIR/api-cert.pem (the server certificate and the node's authority), DIR/api-key.pem (0600) "
                + "and DIR/api-ca.pem (the authority, which tills pin), and prints the authority's SHA-256 fingerprint. "
                + "Name the first two in the node configuration's \"tls\"; give tills api-ca.pem (NodeClient pinnedCertificatePEM).")
        @Option(help: "Directory for the certificate and key (created if missing).") var out: String
        @Option(name: .customLong("host"), help: "A DNS name or IPv4 address tills use to reach the node (repeat).")
        var hosts: [String] = ["127.0.0.1", "localhost"]
        @Option(help: "Days the certificate is valid.") var days: Int = 825

        func run() throws {
            guard !hosts.isEmpty, (1...3_650).contains(days) else { throw CLIError("--host is needed and --days must be 1...3650") }
            let made = try NodeTLS.selfSigned(hosts: hosts, days: days)
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try writeFile(Data(made.certificatePEM.utf8), to: out + "/api-cert.pem")
            try writeFile(Data(made.privateKeyPEM.utf8), to: out + "/api-key.pem", private: true)
            try writeFile(Data(made.authorityPEM.utf8), to: out + "/api-ca.pem")
            print("certificate \(out)/api-cert.pem (hosts \(hosts.joined(separator: ", ")), \(days) days), key \(out)/api-key.pem")
            print("tills pin \(out)/api-ca.pem, SHA-256 fingerprint \(made.sha256Fingerprint)")
        }
    }
}
