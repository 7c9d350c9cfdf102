import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSClient
import Testing

/// No input from the network stops the node (issue 13): the crashes found by hand, then
/// generated long and odd values for every path parameter and request field that names
/// a SKU, a member, a till, a reason or an id, each sent to a real `sgpos node run`
/// process. Every answer must be a 2xx or a 4xx (never a 5xx), and the node must still
/// answer `/v1/health` at the end. `SGPOS_HOSTILE_REQUESTS` sets how many generated
/// inputs each route gets (default 1,000 here; `make fuzz` sends 10,000).
@Suite(.serialized) struct HostileInputTests {
    static var perRoute: Int { Int(ProcessInfo.processInfo.environment["SGPOS_HOSTILE_REQUESTS"] ?? "") ?? 1_000 }

    /// One request: method, path (already percent-encoded) and an optional JSON body.
    struct Probe: Sendable {
        let method: HTTPMethod
        let path: String
        let body: String?
    }

    @Test func longAndOddInputsAreRefusedWithA4xxAndNeverStopTheNode() async throws {
        let scratch = Scratch()
        let demo = scratch.path + "/demo"
        #expect(try await CLI.demo(demo, outlets: 2, sales: 2).status == 0)
        let node = try NodeProcess.start(demo: demo, outlet: 1)
        defer { node.stop() }
        try await node.waitHealthy(peers: 0)
        let base = node.client.baseURL
        let admin = node.admin

        // The crashes the issue lists, replayed first.
        let long = { (count: Int) in String(repeating: "A", count: count) }
        var probes: [Probe] = [
            .init(method: .GET, path: "/v1/outlets/1/stock/\(long(253))", body: nil),
            .init(method: .GET, path: "/v1/outlets/1/shifts/\(long(253))", body: nil),
            .init(method: .GET, path: "/v1/members/\(long(257))", body: nil),
            .init(method: .GET, path: "/v1/network/members/\(long(257))", body: nil),
            .init(method: .POST, path: "/v1/quote", body: #"{"lines":[{"sku":"\#(long(300))","qty":1}]}"#),
            .init(method: .POST, path: "/v1/quote", body: #"{"lines":[{"sku":"PEN-BLUE","qty":1}],"memberId":"\#(long(300))"}"#),
            .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"sale","till":"\#(long(253))","lines":[{"sku":"PEN-BLUE","qty":1}],"payment":{"kind":"cash"}}"#),
            .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"shift-close","till":"\#(long(253))","counted":"1.00"}"#),
            .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"sale","till":"till-03","lines":[{"sku":"\#(long(300))","qty":1}],"payment":{"kind":"cash"}}"#),
            .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"sale","till":"till-03","lines":[{"sku":"PEN-BLUE","qty":1}],"memberId":"\#(long(300))","payment":{"kind":"cash"}}"#),
        ]
        var random = SeededRandom(seed: 13)
        for _ in 0..<Self.perRoute {
            let text = random.hostileText()
            let segment = percentEncoded(text)
            let json = jsonString(text)
            let routes: [Probe] = [
                .init(method: .GET, path: "/v1/outlets/1/stock/\(segment)", body: nil),
                .init(method: .GET, path: "/v1/outlets/1/shifts/\(segment)", body: nil),
                .init(method: .GET, path: "/v1/members/\(segment)", body: nil),
                .init(method: .GET, path: "/v1/network/members/\(segment)", body: nil),
                .init(method: .GET, path: "/v1/transactions/\(segment)", body: nil),
                .init(method: .GET, path: "/v1/transactions/\(segment)/proof", body: nil),
                .init(method: .GET, path: "/v1/outlets/\(segment)/books", body: nil),
                .init(method: .GET, path: "/v1/outlets/1/blocks/\(segment)", body: nil),
                .init(method: .GET, path: "/v1/checkpoints/\(segment)", body: nil),
                .init(method: .POST, path: "/v1/quote", body: #"{"lines":[{"sku":\#(json),"qty":1}]}"#),
                .init(method: .POST, path: "/v1/quote", body: #"{"lines":[{"sku":"PEN-BLUE","qty":1}],"memberId":\#(json),"redeemPoints":1}"#),
                .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"sale","till":\#(json),"lines":[{"sku":"PEN-BLUE","qty":1}],"payment":{"kind":"cash"}}"#),
                .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"sale","till":"till-03","lines":[{"sku":\#(json),"qty":1}],"memberId":\#(json),"payment":{"kind":"cash"}}"#),
                .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"shift-close","till":\#(json),"counted":"1.00"}"#),
                .init(method: .POST, path: "/v1/prepare", body: #"{"kind":"refund","till":"till-03","sale":\#(json),"refundLines":[{"line":1,"qty":1}],"reason":\#(json),"payment":{"kind":"cash"}}"#),
                .init(method: .POST, path: "/v1/prepare", body: #"{"kind":\#(json),"till":"till-03"}"#),
                .init(method: .POST, path: "/v1/transactions", body: #"{"transaction":\#(json)}"#),
            ]
            probes += routes
        }

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        var serverErrors: [String] = []
        var answered = 0
        // A few requests in flight at once, as several attackers would send them.
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var next = 0
            func send(_ probe: Probe) async throws -> (Int, String) {
                var request = HTTPClientRequest(url: base + probe.path)
                request.method = probe.method
                if let body = probe.body {
                    request.headers.add(name: "content-type", value: "application/json")
                    request.body = .bytes(ByteBuffer(string: body))
                }
                // Signed by an admin, so every probe passes authentication and reaches the limits.
                request.sign(with: admin, body: probe.body.map { Array($0.utf8) })
                do {
                    let response = try await client.execute(request, timeout: .seconds(10))
                    _ = try await response.body.collect(upTo: 1 << 20)
                    return (Int(response.status.code), "\(probe.method) \(probe.path.prefix(80)) \(probe.body?.prefix(120) ?? "")")
                } catch {
                    return (-1, "\(probe.method) \(probe.path.prefix(80)) \(probe.body?.prefix(120) ?? ""): \(error)")
                }
            }
            while next < min(8, probes.count) {
                let probe = probes[next]
                group.addTask { try await send(probe) }
                next += 1
            }
            while let (status, what) = try await group.next() {
                answered += 1
                if status >= 500 || status < 0 { serverErrors.append("\(status) \(what)") }
                guard serverErrors.count < 5 else { break }
                if next < probes.count {
                    let probe = probes[next]
                    group.addTask { try await send(probe) }
                    next += 1
                }
            }
            group.cancelAll()
        }
        #expect(serverErrors.isEmpty, "\(serverErrors.joined(separator: "\n")) — node: \(node.logTail())")
        #expect(answered == probes.count || !serverErrors.isEmpty)
        #expect(node.process.isRunning, "the node died: \(node.logTail(lines: 30))")
        #expect(try await node.client.health().outletId == 1)
    }
}

/// Text an attacker would try: empty, at and around each limit, far beyond, in 1-, 2-,
/// 3- and 4-byte UTF-8, with control characters, quotes, slashes and percent signs.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func hostileText() -> String {
        let lengths = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 251, 252, 253, 255, 256, 257, 300, 1_000, 4_000]
        let count = below(4) == 0 ? below(700) : lengths[below(lengths.count)]
        let alphabets: [[Character]] = [
            Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"), Array("éüñçÆß"), Array("中文字符"), Array("😀🛒🧾"),
            ["\u{0}", "\u{1}", "\u{7F}", "\n", "\t", "\"", "\\", "/", "%", "?", "#", " ", "."],
            Array("0123456789abcdef"), Array("0123456789ABCDEF"),
        ]
        let alphabet = alphabets[below(alphabets.count)]
        let mixed = below(3) == 0
        return String((0..<count).map { _ in
            let source = mixed ? alphabets[below(alphabets.count)] : alphabet
            return source[below(source.count)]
        })
    }
}

/// Percent-encodes every byte outside the unreserved set (a path segment that cannot
/// split into two); an empty text becomes "%20" (a route needs a segment).
func percentEncoded(_ text: String) -> String {
    guard !text.isEmpty else { return "%20" }
    var out = ""
    for byte in text.utf8 {
        let character = Character(Unicode.Scalar(byte))
        if byte < 0x80, character.isLetter || character.isNumber || "-_.~".contains(character) {
            out.append(character)
        } else {
            out += String(format: "%%%02X", byte)
        }
    }
    return out
}

/// A JSON string literal of `text`.
func jsonString(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
    let array = String(decoding: data, as: UTF8.self)
    return String(array.dropFirst().dropLast())
}
