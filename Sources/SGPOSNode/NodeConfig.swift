import Foundation
import SGPOSDevices
import SGPOSRetail
import SGPOSTill
import SGPOSChain
import SGPOSOperations

/// A node's configuration file (JSON; `//` comments allowed). Paths are relative to the
/// file's directory.
///
/// ```json
/// {"outletId": 1, "genesis": "genesis.json", "nodeKey": "keys/outlet-1.key",
///  "http": {"host": "127.0.0.1", "port": 7101}, "peer": {"host": "127.0.0.1", "port": 7201},
///  "peers": [{"outletId": 2, "host": "127.0.0.1", "port": 7202}]}
/// ```
public struct NodeConfig: Codable, Sendable, Hashable {
    public struct Endpoint: Codable, Sendable, Hashable {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public struct Peer: Codable, Sendable, Hashable {
        public var outletId: UInt32
        public var host: String
        public var port: Int
        public init(outletId: UInt32, host: String, port: Int) {
            self.outletId = outletId
            self.host = host
            self.port = port
        }
    }

    /// HTTPS for the API: PEM files (paths relative to the configuration file's directory).
    public struct TLS: Codable, Sendable, Hashable {
        /// The certificate chain, leaf first (`sgpos node certificate` makes a self-signed one).
        public var certificate: String
        public var privateKey: String
        public init(certificate: String, privateKey: String) {
            self.certificate = certificate
            self.privateKey = privateKey
        }
    }

    public var outletId: UInt32
    public var genesis: String
    public var nodeKey: String
    public var http: Endpoint
    public var peer: Endpoint
    public var peers: [Peer]
    /// Largest request body in bytes (default 1 MiB).
    public var requestBytesMax: Int?
    /// Largest `POST /v1/transactions/batch` body in bytes (default 4 MiB: 1 000
    /// transactions of up to 4 KiB binary, or 2 KiB as hex JSON).
    public var batchRequestBytesMax: Int?
    /// Submissions waiting for a block before new ones are refused with 503 (default 20 000).
    public var pendingMax: Int?
    /// Lets `POST /v1/admin/isolate` cut this node off its peers (fault drills and the demo).
    public var allowFaultInjection: Bool?
    /// Further key files this node may vote with in the checkpoint chain, besides the node
    /// key: a validator key named in the genesis or added by a validator update (during a
    /// key change, the old and the new; docs/OPERATIONS.md).
    public var validatorKeys: [String]?
    /// Most API connections open at once (default 1 024) and from one address (default 256).
    public var httpConnectionsMax: Int?
    public var httpConnectionsPerAddressMax: Int?
    /// Serve the API over HTTPS (TLS 1.3) with this certificate and key.
    public var tls: TLS?
    /// Serve plain HTTP on an address that is not loopback (behind a TLS-terminating proxy
    /// on a trusted segment). Without `tls` and without this, `http.host` must be loopback.
    public var allowPlainHTTP: Bool?
    /// Serve `/metrics` without a request signature (for a Prometheus scraper on a trusted
    /// segment; it shows counts and latencies, no ledger data). Default: an operator of
    /// this outlet, an auditor or an admin must sign.
    public var metricsWithoutSignature: Bool?
    /// Peer links over mutually authenticated TLS 1.3 bound to the genesis node keys
    /// (default true). Every node of a network must agree; `false` is clear text (the
    /// handshake still authenticates, nothing is encrypted), for a VPN-only network.
    public var peerTLS: Bool?
    /// Mirror every chain this node holds into this PostgreSQL database as blocks arrive
    /// (`postgres://user[:password]@host[:port]/database`, docs/EXPORT.md). The file holds
    /// the password: keep it readable by the node's user only.
    public var exportPostgresURL: String?
    /// The business printed at the top of receipts the node renders (`GET
    /// /v1/transactions/{id}/receipt`, the web till): legal name, address lines, GST
    /// registration number. Default: the outlet's genesis name and "GST Reg No. not set".
    public var merchant: Merchant?
    /// The outlet's PayNow account for the SGQR codes the web till shows (`POST
    /// /v1/paynow`): a UEN or a mobile number (exactly one) and the name payers see.
    public var payNow: PayNowAccount?
    /// The outlet's receipt printer: receipts the web till asks for (`POST
    /// /v1/transactions/{id}/print`) queue durably under the data directory and print in
    /// the background (docs/OPERATIONS.md, "Receipt printer").
    public var printer: PrinterSettings?

    public init(outletId: UInt32, genesis: String, nodeKey: String, http: Endpoint, peer: Endpoint, peers: [Peer],
                requestBytesMax: Int? = nil, pendingMax: Int? = nil, allowFaultInjection: Bool? = nil,
                batchRequestBytesMax: Int? = nil) {
        self.outletId = outletId
        self.genesis = genesis
        self.nodeKey = nodeKey
        self.http = http
        self.peer = peer
        self.peers = peers
        self.requestBytesMax = requestBytesMax
        self.batchRequestBytesMax = batchRequestBytesMax
        self.pendingMax = pendingMax
        self.allowFaultInjection = allowFaultInjection
    }

    /// Whether `host` names this machine only (plain HTTP is allowed there).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Reads and checks a configuration file.
    public static func load(_ path: String) throws -> NodeConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NodeError.configuration("cannot read \(path)")
        }
        return try decode(data, path: path)
    }

    /// Checks a configuration file's bytes (strict JSON, ports, caps, TLS rule); `path`
    /// names the file in errors. Any bytes: an error, never a trap (fuzzed: `sgpos-fuzz`'s
    /// `config` target).
    public static func decode(_ data: Data, path: String) throws -> NodeConfig {
        let config: NodeConfig
        do {
            config = try StrictJSON.decode(NodeConfig.self, from: ConfigComments.strip(data))
        } catch {
            throw NodeError.configuration("\(path) is not a node configuration: \(error)")
        }
        for endpoint in [config.http, config.peer] + config.peers.map({ Endpoint(host: $0.host, port: $0.port) })
        where !(1...65_535).contains(endpoint.port) {
            throw NodeError.configuration("\(path): port \(endpoint.port) is not 1...65535")
        }
        guard config.peers.count <= 64 else { throw NodeError.configuration("\(path): at most 64 peers") }
        if let account = config.payNow {
            do {
                _ = try PayNowPayload(proxy: try account.proxy(), amount: try Money(cents: 1), merchantName: account.merchantName)
            } catch {
                throw NodeError.configuration("\(path): payNow: \(error)")
            }
        }
        if let printer = config.printer {
            do {
                _ = try PrinterTarget.transport(printer.target)
                _ = try PrinterProfile.named(printer.profile)
            } catch {
                throw NodeError.configuration("\(path): printer: \(error.message)")
            }
        }
        let connections = (config.httpConnectionsMax ?? 1_024, config.httpConnectionsPerAddressMax ?? 256)
        guard (1...65_536).contains(connections.0), (1...connections.0).contains(connections.1) else {
            throw NodeError.configuration("\(path): httpConnectionsMax must be 1...65536 and httpConnectionsPerAddressMax 1...httpConnectionsMax")
        }
        if let url = config.exportPostgresURL {
            guard url.utf8.count <= 1_024, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw NodeError.configuration("\(path): exportPostgresURL must be postgres://user[:password]@host[:port]/database (at most 1024 bytes)")
            }
        }
        guard config.tls != nil || config.allowPlainHTTP == true || isLoopback(config.http.host) else {
            throw NodeError.configuration("\(path): http.host \(config.http.host) is not loopback, so the API needs \"tls\" "
                + "(a certificate and key; `sgpos node certificate` makes one), or \"allowPlainHTTP\": true behind a TLS proxy")
        }
        return config
    }

    /// `path` resolved against the directory of the configuration file.
    public static func resolve(_ path: String, relativeTo configPath: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let directory = (configPath as NSString).deletingLastPathComponent
        // A file named without a directory (`--config node-1.json`) is in the current one.
        return directory.isEmpty ? path : directory + "/" + path
    }
}

/// Why the node refused to start or to serve a request.
public struct NodeError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt16, Hashable, Sendable {
        case configuration = 400
        case shuttingDown = 402
        case peerProtocol = 403
        case overCapacity = 404
    }

    private let kind: Kind
    public let message: String

    /// Stable code: 400 configuration, 402 shutting down, 403 peer protocol, 404 over a
    /// connection cap (401, overloaded,
    /// is ``GroupCommitError``'s: the committer lives in SGPOSStore).
    public var code: UInt16 { kind.rawValue }
    public var description: String { message }

    public static func configuration(_ message: String) -> NodeError { .init(kind: .configuration, message: message) }
    public static func shuttingDown(_ message: String) -> NodeError { .init(kind: .shuttingDown, message: message) }
    public static func peerProtocol(_ message: String) -> NodeError { .init(kind: .peerProtocol, message: message) }
    public static func overCapacity(_ message: String) -> NodeError { .init(kind: .overCapacity, message: message) }
}

/// The receipt printer of an outlet (``NodeConfig/printer``).
public struct PrinterSettings: Codable, Sendable, Hashable {
    /// `usb`, `usb:VVVV:PPPP`, `tcp:HOST:PORT` or `file:PATH` (``PrinterTarget``).
    public var target: String
    /// A profile's short name (`tm-t88`, `tm-t20`, `tsp100`, `srp-350`) or full name.
    public var profile: String

    public init(target: String, profile: String) {
        self.target = target
        self.profile = profile
    }
}

/// The PayNow account of an outlet (``NodeConfig/payNow``).
public struct PayNowAccount: Codable, Sendable, Hashable {
    /// The business's UEN (9–13 uppercase letters and digits), or
    public var uen: String?
    /// a Singapore mobile number (`+65` and 8 digits).
    public var mobile: String?
    /// The name the payer's banking app shows: 1–25 printable ASCII characters.
    public var merchantName: String

    public init(uen: String? = nil, mobile: String? = nil, merchantName: String) {
        self.uen = uen
        self.mobile = mobile
        self.merchantName = merchantName
    }

    /// The proxy the payload names; exactly one of ``uen`` and ``mobile`` must be set.
    public func proxy() throws -> PayNowPayload.Proxy {
        switch (uen, mobile) {
        case (let uen?, nil): return .uen(uen)
        case (nil, let mobile?): return .mobile(mobile)
        default: throw NodeError.configuration("payNow needs exactly one of uen and mobile")
        }
    }
}
