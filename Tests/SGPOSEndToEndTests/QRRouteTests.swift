import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SGPOSClient
import Testing

/// `/qr.svg` answers anyone, so it draws one code at a time: requests at once for the
/// longest codes each get the code after waiting their turn (up to 2 s) or 503 with
/// Retry-After — never an error, never two drawings at once taking the tills' cores.
@Suite struct QRRouteTests {
    @Test func longCodesAskedAtOnceAreDrawnInTurnOrRefusedWithRetryAfter() async throws {
        let scratch = Scratch()
        let node = try await NodeProcess.ofSmallDemo(in: scratch, faultInjection: false)
        defer { node.stop() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        let text = String(repeating: "~", count: 1_024)
        let answers = try await withThrowingTaskGroup(of: (status: Int, retryAfter: String?, body: String).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let request = HTTPClientRequest(url: node.client.baseURL + "/qr.svg?text=" + text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                    let response = try await http.execute(request, timeout: .seconds(60))
                    let body = String(decoding: (try await response.body.collect(upTo: 4 << 20)).readableBytesView, as: UTF8.self)
                    return (Int(response.status.code), response.headers.first(name: "Retry-After"), body)
                }
            }
            var all: [(status: Int, retryAfter: String?, body: String)] = []
            for try await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.allSatisfy { $0.status == 200 || $0.status == 503 }, "statuses \(answers.map(\.status))")
        #expect(answers.contains { $0.status == 200 && $0.body.hasPrefix("<svg") }, "no code was drawn")
        for refused in answers where refused.status == 503 {
            #expect(refused.retryAfter == "1" && refused.body.contains("\"overloaded\""), "\(refused.body)")
        }
        #expect(try await node.client.health().status == "ok")
    }
}
