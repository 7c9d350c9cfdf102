import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SGPOSChain
import SGPOSCodec
import SGPOSCrypto

/// The till's client of a node's HTTP API. Every call has a timeout; a submission is
/// retried on timeouts, lost connections and 503 with the **same signed bytes** (so the
/// same idempotency id: the node returns the first result, never a second sale), with
/// capped backoff and a bounded number of attempts. It never hangs: each attempt has a
/// deadline covering the whole exchange, and cancelling the calling task cancels the
/// request in flight (async-http-client, on the process-wide `HTTPClient.shared`, whose
/// connections are kept alive between calls).
public struct NodeClient: Sendable {
    public let baseURL: String
    public let timeoutSeconds: Double
    public let attemptsMax: Int
    /// The largest response body read; a larger one fails the attempt (a node's largest
    /// answers, a batch's results with proofs, are far below the default 64 MiB).
    public let responseBytesMax: Int
    /// Signs every request (RFC 9421) when set: reads need a registered key's signature
    /// (docs/API.md, "Request signatures"); submissions of signed transactions do not.
    public private(set) var signer: RequestSigner?
    private let http: HTTPClient

    public init(baseURL: String, timeoutSeconds: Double = 5, attemptsMax: Int = 5, responseBytesMax: Int = 64 << 20) {
        precondition(attemptsMax >= 1 && timeoutSeconds > 0 && responseBytesMax > 0, "client bounds")
        self.baseURL = baseURL
        self.timeoutSeconds = timeoutSeconds
        self.attemptsMax = attemptsMax
        self.responseBytesMax = responseBytesMax
        http = .shared
    }

    /// A client of a node whose HTTPS certificate is pinned: it trusts exactly the
    /// certificate(s) in `pinnedCertificatePEM` (a node's self-signed `api-cert.pem`) and
    /// no CA, over TLS 1.3. Throws when the PEM holds no certificate.
    public init(baseURL: String, pinnedCertificatePEM: String, timeoutSeconds: Double = 5, attemptsMax: Int = 5,
                responseBytesMax: Int = 64 << 20) throws {
        precondition(attemptsMax >= 1 && timeoutSeconds > 0 && responseBytesMax > 0, "client bounds")
        self.baseURL = baseURL
        self.timeoutSeconds = timeoutSeconds
        self.attemptsMax = attemptsMax
        self.responseBytesMax = responseBytesMax
        http = try PinnedClients.client(for: pinnedCertificatePEM)
    }

    /// This client, signing its requests with `key` (a till, operator, auditor or admin key).
    public func signed(by key: SigningKey) -> NodeClient {
        var copy = self
        copy.signer = RequestSigner(key: key)
        return copy
    }

    /// Why a call failed for good.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// HTTP status (0: no answer after every attempt).
        public let status: Int
        /// The node's problem document, when it sent one.
        public let problem: API.Problem?
        public let message: String
        public var description: String { message }

        public init(status: Int, problem: API.Problem? = nil, message: String) {
            self.status = status
            self.problem = problem
            self.message = message
        }
    }

    /// Submits a signed transaction; returns once it is durable (or was committed before).
    public func submit(_ transaction: SignedTransaction) async throws -> API.SubmitResponse {
        let body = try JSONEncoder().encode(API.SubmitRequest(transaction: Hex.encode(transaction.encoded)))
        return try await call("POST", "/v1/transactions", body: body, retry: true)
    }

    public func quote(_ request: API.QuoteRequest) async throws -> API.QuoteResponse {
        try await call("POST", "/v1/quote", body: try JSONEncoder().encode(request), retry: true)
    }

    /// The exact body to sign for a sale, refund or closing, built by the node.
    public func prepare(_ request: API.PrepareRequest) async throws -> API.PrepareResponse {
        try await call("POST", "/v1/prepare", body: try JSONEncoder().encode(request), retry: true)
    }

    public func shift(outlet: UInt32, till: String) async throws -> API.Shift {
        try await call("GET", "/v1/outlets/\(outlet)/shifts/\(till)", retry: true)
    }

    public func transaction(_ id: String) async throws -> API.TransactionInfo {
        try await call("GET", "/v1/transactions/\(id)", retry: true)
    }

    public func networkTransfers() async throws -> API.NetworkTransfers {
        try await call("GET", "/v1/network/transfers", retry: true)
    }

    public func networkMember(_ id: String) async throws -> API.NetworkMember {
        try await call("GET", "/v1/network/members/\(id)", retry: true)
    }

    public func health() async throws -> API.Health { try await call("GET", "/v1/health", retry: false) }
    public func heads() async throws -> [API.Head] { try await call("GET", "/v1/heads", retry: true) }
    public func checkpointStatus() async throws -> API.CheckpointStatus { try await call("GET", "/v1/checkpoints/status", retry: true) }
    public func books(outlet: UInt32) async throws -> API.Books { try await call("GET", "/v1/outlets/\(outlet)/books", retry: true) }

    /// Cuts the node off its peers or reconnects it (nodes started with fault injection).
    /// Fault injection: the node signs its newest block twice and pushes the copy to its peers.
    public func equivocate() async throws -> API.Equivocation { try await call("POST", "/v1/admin/equivocate", retry: false) }

    /// The decided checkpoint at `height` with its certificate.
    public func checkpoint(_ height: UInt64) async throws -> CheckpointJSON { try await call("GET", "/v1/checkpoints/\(height)", retry: true) }

    public func isolate(_ isolated: Bool) async throws {
        struct Isolate: Codable { var isolated: Bool }
        let _: Isolate = try await call("POST", "/v1/admin/isolate", body: try JSONEncoder().encode(Isolate(isolated: isolated)), retry: true)
    }

    /// One HTTP exchange: the status and the whole body, within one deadline.
    private func exchange(_ method: String, _ url: String, body: Data?, contentType: String) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        if let signer, let components = URLComponents(string: url) {
            let target = components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
            for (name, value) in signer.headers(method: method, target: target, body: body.map { Array($0) }) {
                request.headers.add(name: name, value: value)
            }
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeoutSeconds * 1_000))
        let response = try await http.execute(request, deadline: deadline)
        let bytes = try await response.body.collect(upTo: responseBytesMax)
        return (Int(response.status.code), Data(bytes.readableBytesView))
    }

    /// One call with a timeout per attempt; with `retry`, timeouts, lost connections and 5xx
    /// are tried again (the same request bytes) up to `attemptsMax` times with capped backoff.
    public func call<T: Decodable>(_ method: String, _ path: String, body: Data? = nil, contentType: String = "application/json",
                                   retry: Bool) async throws -> T {
        let url = baseURL + path
        guard URL(string: url) != nil else { throw Failure(status: 0, problem: nil, message: "bad URL \(url)") }
        var backoffMs: UInt64 = 50
        var lastError = "no attempt"
        let attempts = retry ? attemptsMax : 1
        for attempt in 1...attempts {
            try Task.checkCancellation()
            do {
                let (status, data) = try await exchange(method, url, body: body, contentType: contentType)
                if (200..<300).contains(status) { return try JSONDecoder().decode(T.self, from: data) }
                let problem = try? JSONDecoder().decode(API.Problem.self, from: data)
                lastError = "HTTP \(status): \(problem?.message ?? String(decoding: data.prefix(200), as: UTF8.self))"
                guard status == 503 || status >= 500 else { throw Failure(status: status, problem: problem, message: lastError) }
            } catch let failure as Failure {
                throw failure
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastError = "attempt \(attempt): \(error)"
            }
            if attempt < attempts {
                try await Task.sleep(nanoseconds: backoffMs * 1_000_000)
                backoffMs = min(backoffMs * 2, 1_000)
            }
        }
        throw Failure(status: 0, problem: nil, message: "\(method) \(path) failed after \(attempts) attempt(s): \(lastError)")
    }
}
