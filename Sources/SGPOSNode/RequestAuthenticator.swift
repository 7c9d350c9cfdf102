import Foundation
import Hummingbird
import SGPOSChain
import SGPOSClient
import SGPOSCodec
import SGPOSCrypto
import SGPOSStore
import Synchronization

/// Who may call a route (docs/API.md, "Who may read what").
enum Access: Sendable {
    /// Anyone: health, and the proof of a transaction whose id the caller holds.
    case anyone
    /// Any registered key in good standing (till, operator, auditor, admin).
    case anyKey
    /// A till or operator of the outlet, an auditor or an admin.
    case outletStaff(OutletID)
    /// An operator (manager) of the outlet, an auditor or an admin.
    case outletManager(OutletID)
    /// An operator of any outlet, an auditor or an admin.
    case anyManager
    /// An auditor or an admin: what spans every outlet's figures (network reports).
    case auditor
    /// A genesis admin.
    case admin
}

/// The verified signer of a request: its key and its registry record.
struct Caller: Sendable {
    let key: PublicKey
    let record: KeyRecord

    /// Whether this caller may do what `access` allows.
    func may(_ access: Access) -> Bool {
        switch (access, record.role) {
        case (.anyone, _): return true
        case (_, .admin): return true
        case (.admin, _): return false
        case (_, .node): return false
        case (.anyKey, _): return true
        case (_, .auditor): return true
        case (.outletStaff(let outlet), .till), (.outletStaff(let outlet), .operator): return record.outletID == outlet
        case (.outletManager(let outlet), .operator): return record.outletID == outlet
        case (.anyManager, .operator): return true
        default: return false
        }
    }

    /// What `access` needs, for a 403.
    static func describe(_ access: Access) -> String {
        switch access {
        case .anyone: "anyone"
        case .anyKey: "any registered key"
        case .outletStaff(let outlet): "a till or operator key of outlet \(outlet), an auditor or an admin"
        case .outletManager(let outlet): "an operator key of outlet \(outlet), an auditor or an admin"
        case .anyManager: "an operator, auditor or admin key"
        case .auditor: "an auditor or admin key"
        case .admin: "an admin key"
        }
    }
}

/// Checks the RFC 9421 signature of a read or admin request and finds its signer in the
/// registry (every outlet chain this node holds): a signature over `@method`, `@path`,
/// `@query` (and `content-digest` with a body) by a registered key in good standing,
/// created within ``skewSeconds`` of this node's clock, with a nonce not seen in that
/// window. Submissions of signed transactions need none of this: they authenticate
/// themselves.
final class RequestAuthenticator: Sendable {
    let node: LedgerNode
    /// How far `created` may lie from this node's clock, either way (seconds).
    let skewSeconds: Int64
    private let nonces: Mutex<NonceWindow>
    private let nowSeconds: @Sendable () -> Int64

    init(node: LedgerNode, skewSeconds: Int64 = 300, noncesMax: Int = 1 << 17,
         nowSeconds: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970.rounded(.down)) }) {
        precondition(skewSeconds > 0 && noncesMax > 0, "authenticator bounds")
        self.node = node
        self.skewSeconds = skewSeconds
        self.nowSeconds = nowSeconds
        nonces = Mutex(NonceWindow(capacity: noncesMax))
    }

    /// The caller of `request` if it may do what `access` allows; throws a
    /// ``RequestAuthError`` (401 or 403) otherwise. `body` is the request body read so far
    /// (nil or empty for none). Returns nil for ``Access/anyone``.
    func authorize(_ request: Request, body: [UInt8]?, _ access: Access) throws -> Caller? {
        if case .anyone = access { return nil }
        let caller = try authenticate(request, body: body ?? [])
        guard caller.may(access) else {
            throw RequestAuthError(.forbidden, "\(caller.record.role) \"\(caller.record.principal)\" of outlet \(caller.record.outletID) may not do this: it needs \(Caller.describe(access))")
        }
        return caller
    }

    private func authenticate(_ request: Request, body: [UInt8]) throws -> Caller {
        guard let inputField = field(request, "signature-input"), let signatureField = field(request, "signature") else {
            throw RequestAuthError(.missing, "this request needs an HTTP message signature (RFC 9421) by a registered key: Signature-Input and Signature headers (docs/API.md, \"Request signatures\")")
        }
        let signature: HTTPMessageSignature
        do {
            signature = try HTTPMessageSignature.parse(signatureInput: inputField, signature: signatureField)
        } catch {
            throw RequestAuthError(.malformed, "request signature: \(error.message)")
        }
        let now = nowSeconds()
        let parameters = try checkedParameters(signature, now: now, hasBody: !body.isEmpty)
        let base: [UInt8]
        do {
            base = try signature.base { component in
                switch component {
                case "@method": request.method.rawValue
                case "@authority": request.head.authority
                case "@path": RequestSigner.split(request.uri.description).path
                case "@query": RequestSigner.split(request.uri.description).query
                default: field(request, component)
                }
            }
        } catch {
            throw RequestAuthError(.malformed, "request signature: \(error.message)")
        }
        guard parameters.key.isValidSignature(Signature(uncheckedBytes: signature.signature), for: base) else {
            throw RequestAuthError(.badSignature, "the request signature does not verify with key \(parameters.key.hex)")
        }
        let record = try registered(parameters.key)
        if !body.isEmpty {
            guard field(request, "content-digest") == RequestSigner.contentDigest(body) else {
                throw RequestAuthError(.digestMismatch, "Content-Digest does not match the body (sha-256, RFC 9530)")
            }
        }
        let fresh = nonces.withLock { $0.insert(key: parameters.key.hex, nonce: parameters.nonce, expires: parameters.created + skewSeconds, now: now) }
        switch fresh {
        case .inserted: break
        case .seen: throw RequestAuthError(.replayed, "nonce \(parameters.nonce) was already used by this key")
        case .full: throw RequestAuthError(.busy, "too many signed requests in the last \(skewSeconds * 2) s; try again")
        case .keyFull: throw RequestAuthError(.busy, "too many signed requests by this key in the last \(skewSeconds * 2) s; try again")
        }
        return Caller(key: parameters.key, record: record)
    }

    private struct Parameters {
        let key: PublicKey
        let created: Int64
        let nonce: String
    }

    private func checkedParameters(_ signature: HTTPMessageSignature, now: Int64, hasBody: Bool) throws -> Parameters {
        for required in ["@method", "@path", "@query"] + (hasBody ? ["content-digest"] : []) where !signature.components.contains(required) {
            throw RequestAuthError(.malformed, "the request signature must cover \"\(required)\"")
        }
        for (name, _) in signature.parameters where !["created", "expires", "keyid", "alg", "nonce", "tag"].contains(name) {
            throw RequestAuthError(.malformed, "unknown signature parameter \(name)")
        }
        guard case .integer(let created) = signature.parameter("created") else {
            throw RequestAuthError(.malformed, "the request signature needs created (Unix seconds)")
        }
        guard abs(created - now) <= skewSeconds else {
            throw RequestAuthError(.stale, "created \(created) is more than \(skewSeconds) s from this node's clock (\(now))")
        }
        if let expires = signature.parameter("expires") {
            guard case .integer(let at) = expires, at >= now else { throw RequestAuthError(.stale, "the request signature has expired") }
        }
        if let alg = signature.parameter("alg"), alg != .string("ed25519") {
            throw RequestAuthError(.malformed, "alg must be \"ed25519\"")
        }
        guard case .string(let keyID) = signature.parameter("keyid"), keyID.utf8.count == 64,
              let bytes = Hex.decode(keyID) else {
            throw RequestAuthError(.malformed, "keyid must be the signer's Ed25519 public key as 64 lower-case hex digits")
        }
        guard case .string(let nonce) = signature.parameter("nonce"), (16...64).contains(nonce.utf8.count) else {
            throw RequestAuthError(.malformed, "the request signature needs a nonce of 16 to 64 characters")
        }
        return Parameters(key: PublicKey(uncheckedBytes: bytes), created: created, nonce: nonce)
    }

    /// The key's registry record: this node's outlet first, then the other outlets'.
    /// Revoked keys, rotated keys past their overlap, and unknown keys are refused.
    private func registered(_ key: PublicKey) throws -> KeyRecord {
        let outlets = [node.outletID] + node.genesis.outlets.map(\.id).filter { $0 != node.outletID }
        let found: KeyRecord? = try node.read { transaction in
            for outlet in outlets {
                if let bytes = try node.store.stateReader(outlet, transaction).read(.key(key)) {
                    return try KeyRecord(canonicalBytes: bytes)
                }
            }
            return nil
        }
        guard let record = found else { throw RequestAuthError(.unknownKey, "key \(key.hex) is not registered") }
        switch record.status {
        case .active: return record
        case .revoked: throw RequestAuthError(.unknownKey, "key \(key.hex) (\(record.principal)) was revoked")
        case .rotated:
            guard wallClockMs() <= record.validUntilMs else {
                throw RequestAuthError(.unknownKey, "key \(key.hex) (\(record.principal)) was rotated and expired")
            }
            return record
        }
    }

    private func field(_ request: Request, _ name: String) -> String? {
        let values = request.headers.filter { $0.name.canonicalName == name }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

/// Nonces seen within the clock window, each kept until its signature's window closes.
/// Bounded: when full, expired entries are dropped; if none has expired the request is refused.
/// One key may hold at most a quarter of the window (``perKeyMax``): a registered key that
/// floods signed requests is refused (`keyFull`) before it can fill the store for everyone.
struct NonceWindow {
    enum Outcome: Equatable { case inserted, seen, full, keyFull }
    let capacity: Int
    let perKeyMax: Int
    private var expiries: [String: (key: String, expires: Int64)] = [:]
    private var perKey: [String: Int] = [:]

    init(capacity: Int) {
        precondition(capacity >= 4, "nonce window capacity")
        self.capacity = capacity
        perKeyMax = capacity / 4
    }

    mutating func insert(key: String, nonce: String, expires: Int64, now: Int64) -> Outcome {
        let entry = key + nonce
        if let seen = expiries[entry], seen.expires >= now { return .seen }
        if expiries.count >= capacity || perKey[key, default: 0] >= perKeyMax { dropExpired(now: now) }
        guard perKey[key, default: 0] < perKeyMax else { return .keyFull }
        guard expiries.count < capacity else { return .full }
        if let stale = expiries.updateValue((key, expires), forKey: entry) {
            perKey[stale.key, default: 1] -= 1
        }
        perKey[key, default: 0] += 1
        assert(perKey.values.reduce(0, +) == expiries.count, "nonce window counts")
        return .inserted
    }

    private mutating func dropExpired(now: Int64) {
        expiries = expiries.filter { $0.value.expires >= now }
        perKey = [:]
        for entry in expiries.values { perKey[entry.key, default: 0] += 1 }
    }
}

/// Why a request was not authenticated or not allowed (stable codes, docs/API.md).
struct RequestAuthError: Error, Sendable, CustomStringConvertible {
    enum Kind: Int {
        case missing = 703
        case malformed = 704
        case stale = 705
        case badSignature = 706
        case unknownKey = 707
        case digestMismatch = 708
        case replayed = 709
        case forbidden = 710
        case busy = 711
    }

    let kind: Kind
    let message: String
    var code: Int { kind.rawValue }
    var description: String { message }

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    var status: HTTPResponse.Status {
        switch kind {
        case .forbidden: .forbidden
        case .busy: .tooManyRequests
        default: .unauthorized
        }
    }

    var name: String {
        switch kind {
        case .forbidden: "forbidden"
        case .busy: "too-many-requests"
        default: "unauthenticated"
        }
    }
}
