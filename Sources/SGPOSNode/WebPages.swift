import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SGPOSChain
import SGPOSQR
import SGPOSWeb
import Synchronization

/// The web pages (docs/WEB.md): the static files of ``WebAssets`` on fixed paths, each
/// with a Content-Security-Policy that allows scripts, styles and requests from this
/// origin only, and the network's genesis at `/genesis.json` (public: only public keys),
/// which the receipt checker pins.
struct WebPages: Sendable {
    /// What a page may load: its own origin's scripts, styles and API, images inline (QR SVG).
    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    let assets: WebAssets
    let genesisJSON: [UInt8]

    init(assets: WebAssets, genesis: Genesis) throws {
        self.assets = assets
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        genesisJSON = Array(try encoder.encode(GenesisDocument(genesis)))
    }

    func register(on router: RecordingRouter) {
        for (path, file) in assets.files.sorted(by: { $0.key < $1.key }) {
            router.get(RouterPath(path)) { _, _ in Self.response(file.bytes, file.contentType) }
        }
        router.get("/genesis.json") { _, _ in Self.response(genesisJSON, "application/json") }
        router.get("/qr.svg") { request, _ in await Self.qr(request) }
    }

    /// The longest text `/qr.svg` encodes, in printable ASCII characters (a receipt's
    /// payload is about 280).
    static let qrTextBytesMax = 1_024

    /// `GET /qr.svg?text=…`: the text as a QR code (ECC level M) in SVG, for the pages'
    /// receipts, pairing and PayNow codes (docs/QR.md). Anyone may ask: it reads nothing.
    static func qr(_ request: Request) async -> Response {
        let query = request.uri.queryParameters
        for (key, _) in query where key != "text" {
            return problem(.badRequest, "malformed", 0, "unknown query parameter \"\(key)\" (qr.svg takes text)")
        }
        guard let text = query["text"].map(String.init), !text.isEmpty else {
            return problem(.badRequest, "malformed", 0, "qr.svg needs text")
        }
        guard text.utf8.count <= qrTextBytesMax else {
            return problem(.badRequest, "malformed", 0, "text is \(text.utf8.count) characters; qr.svg encodes at most \(qrTextBytesMax)")
        }
        guard text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            return problem(.badRequest, "malformed", 0, "text must be printable ASCII (space to ~)")
        }
        // One code at a time: anyone may ask, and a long text costs hundreds of times a
        // health check, so a flood of them must not take the cores the tills need.
        // A page's few codes wait their turn (up to 2 s, without using a core); a flood gets 503.
        var turns = 0
        while !qrEncoding.withLock({ busy in
            if busy { return false }
            busy = true
            return true
        }) {
            turns += 1
            guard turns <= 200, (try? await Task.sleep(nanoseconds: 10_000_000)) != nil else {
                var answer = problem(.serviceUnavailable, "overloaded", 0, "other QR codes are being drawn; retry in a second")
                answer.headers[.retryAfter] = "1"
                return answer
            }
        }
        defer { qrEncoding.withLock { $0 = false } }
        do {
            let code = try QRCode(encoding: text, correction: .medium)
            return response(Array(code.svg(moduleSize: 4).utf8), "image/svg+xml")
        } catch {
            return problem(.badRequest, "malformed", 0, "\(error)")
        }
    }

    /// Whether a QR code is being drawn now (``qr(_:)`` draws one at a time).
    static let qrEncoding = Mutex(false)

    static func response(_ bytes: [UInt8], _ type: String) -> Response {
        var headers: HTTPFields = [.contentType: type, .cacheControl: "no-cache"]
        headers[HTTPField.Name("Content-Security-Policy")!] = policy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
