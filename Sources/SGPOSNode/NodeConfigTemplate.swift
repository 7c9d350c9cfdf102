import Foundation

/// The configuration file `sgpos node init` writes: every option of ``NodeConfig``, each
/// with its default and a `//` comment saying what it does, paths relative to the file.
public enum NodeConfigTemplate {
    public static func render(outlet: UInt32, http: NodeConfig.Endpoint, peer: NodeConfig.Endpoint, peers: [NodeConfig.Peer],
                              validatorKey: String?) -> String {
        let loopback = NodeConfig.isLoopback(http.host)
        let peerLines = peers.map { "    {\"outletId\": \($0.outletId), \"host\": \(quoted($0.host)), \"port\": \($0.port)}" }
        return """
        // SGPOS node configuration (docs/OPERATIONS.md §3a). `//` comments are allowed; paths are
        // relative to this file. Check it with `sgpos node check-config <this file>`.
        {
          // This node's outlet, as the genesis lists it.
          "outletId": \(outlet),
          // The network's genesis (a copy of the file every node has).
          "genesis": "genesis.json",
          // The outlet's node key: seals its blocks and authenticates it to its peers (mode 0600).
          "nodeKey": "keys/node.key",
          // Validator keys this node votes with in the checkpoint chain (during a key change, old and new).
          "validatorKeys": [\(validatorKey.map(quoted) ?? "")],
          // The API tills, the web till, back office and auditors use.
          "http": {"host": \(quoted(http.host)), "port": \(http.port)},
          // HTTPS for the API (TLS 1.3): `sgpos node init` made this certificate; tills pin tls/api-ca.pem.
          // \(loopback ? "On a loopback address the API may also run without it (remove \"tls\")." : "Required: the API listens on an address that is not loopback.")
          "tls": {"certificate": "tls/api-cert.pem", "privateKey": "tls/api-key.pem"},
          // Plain HTTP on an address that is not loopback, behind a TLS-terminating proxy on a trusted segment only.
          "allowPlainHTTP": false,
          // Where the other outlets' nodes connect to this one (the peer protocol, docs/PEERS.md).
          "peer": {"host": \(quoted(peer.host)), "port": \(peer.port)},
          // The other outlets' nodes: this node dials those with a higher outlet id, the others dial it.
          "peers": [\(peerLines.isEmpty ? "" : "\n" + peerLines.joined(separator: ",\n") + "\n  ")],
          // Peer links over mutually authenticated TLS 1.3 bound to the genesis node keys; every node must agree.
          "peerTLS": true,
          // The largest request body (bytes), and the largest batch of transactions (bytes).
          "requestBytesMax": 1048576,
          "batchRequestBytesMax": 4194304,
          // Submissions waiting for a block before new ones are answered 503.
          "pendingMax": 20000,
          // API connections open at once, and from one address.
          "httpConnectionsMax": 1024,
          "httpConnectionsPerAddressMax": 256,
          // Serve /metrics without a request signature (a Prometheus scraper on a trusted segment).
          "metricsWithoutSignature": false,
          // Fault drills (isolating this node from its peers); ignored unless `node run --demo-fault-injection`.
          "allowFaultInjection": false
          // Further options, off unless set (docs/OPERATIONS.md):
          //   "merchant": {"legalName": "…", "addressLines": ["…"], "gstRegistrationNumber": "…"}  receipts' header
          //   "payNow": {"uen": "…", "merchantName": "…"}  (or "mobile") the web till's SGQR codes
          //   "printer": {"target": "usb", "profile": "tm-t88"}  the receipt printer
          //   "exportPostgresURL": "postgres://user@host:5432/db"  mirror the chains into PostgreSQL
        }

        """
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
