import AsyncHTTPClient
import NIOSSL
import Synchronization

/// One HTTP client per pinned certificate, for the life of the process (as
/// `HTTPClient.shared` is), so pinned connections are kept alive between calls too.
enum PinnedClients {
    /// Looked up by the certificate's PEM text only, never iterated.
    private static let clients = Mutex<[String: HTTPClient]>([:])

    static func client(for pem: String) throws -> HTTPClient {
        try clients.withLock { clients in
            if let client = clients[pem] { return client }
            let certificates = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
            guard !certificates.isEmpty else { throw NodeClient.Failure(status: 0, message: "the pinned PEM holds no certificate") }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(certificates)
            tls.minimumTLSVersion = .tlsv13
            var configuration = HTTPClient.Configuration.singletonConfiguration
            configuration.tlsConfiguration = tls
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[pem] = client
            return client
        }
    }
}
