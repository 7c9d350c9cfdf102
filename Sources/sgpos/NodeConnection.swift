import Foundation
import SGPOSClient
import SGPOSCommandSupport

/// A client of the node at `url`: pinned to the certificate authority in the PEM file `ca`
/// (a node's `tls/api-ca.pem`, as `node init` writes it) when given, so commands reach
/// nodes whose API is HTTPS with their own authority. One home for every command's `--ca`.
func nodeClient(_ url: String, ca: String?) throws -> NodeClient {
    guard let ca else {
        if url.lowercased().hasPrefix("https://") {
            // A node `node init` made has its own authority, which this machine does not trust.
            FileHandle.standardError.write(Data("note: no --ca: the node's certificate must be trusted by this machine; a node made by `sgpos node init` has its own authority (pass --ca <its tls/api-ca.pem>)\n".utf8))
        }
        return NodeClient(baseURL: url)
    }
    return try NodeClient(baseURL: url, pinnedCertificatePEM: String(decoding: try readFile(ca, what: "certificate authority"), as: UTF8.self))
}
