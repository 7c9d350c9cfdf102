import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import SGPOSCrypto
import SGPOSCodec
import Synchronization

/// One log line per API request at info level — request id, method, route, status and
/// duration as swift-log metadata — and the request metrics: `sgpos_http_requests_total`
/// and `sgpos_http_request_duration_seconds` by route (the route's pattern, not the path:
/// the label set stays bounded), method and status. The request id is the caller's
/// `X-Request-Id` when it is 1–64 printable ASCII characters, else a fresh one; the answer
/// carries it back. Sits outside ``ProblemMiddleware`` so it sees every answer's status.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    private let metrics = RequestMetricsCache()
    /// Label sets kept: routes × methods × statuses is small; this bounds it anyway.
    static var labelSetsMax: Int { 4_096 }

    init(logger: Logger) { self.logger = logger }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let given = request.headers[HTTPField.Name("X-Request-Id")!]
        let requestID = given.flatMap { $0.count <= 64 && !$0.isEmpty && $0.unicodeScalars.allSatisfy { (0x21...0x7e).contains($0.value) } ? $0 : nil }
            ?? Hex.encode(secureRandomBytes(8))
        var response = try await next(request, context)
        let elapsed = DispatchTime.now().uptimeNanoseconds &- started
        let route = context.endpointPath ?? "unmatched"
        response.headers[HTTPField.Name("X-Request-Id")!] = requestID
        record(route: route, method: request.method.rawValue, status: response.status.code, nanoseconds: elapsed)
        logger.info("request", metadata: [
            "request-id": .string(requestID), "method": .string(request.method.rawValue), "route": .string(route),
            "status": .stringConvertible(response.status.code), "duration-ms": .string(durationMilliseconds(elapsed)),
        ])
        return response
    }

    private func record(route: String, method: String, status: Int, nanoseconds: UInt64) {
        let key = "\(route) \(method) \(status)"
        let pair: (Counter, Timer)? = metrics.entries.withLock { cache in
            if let found = cache[key] { return found }
            guard cache.count < Self.labelSetsMax else { return nil }
            let made = (Counter(label: "sgpos_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))]),
                        Timer(label: "sgpos_http_request_duration_seconds", dimensions: [("route", route), ("method", method)]))
            cache[key] = made
            return made
        }
        guard let (counter, timer) = pair else { return }
        counter.increment()
        timer.recordNanoseconds(Int64(min(nanoseconds, UInt64(Int64.max))))
    }
}

/// The request metrics made so far, by label set.
final class RequestMetricsCache: Sendable {
    let entries = Mutex<[String: (Counter, Timer)]>([:])
}

/// `nanoseconds` as milliseconds with three decimals ("12.345"), truncated, without a
/// format string (the request log writes one per request).
func durationMilliseconds(_ nanoseconds: UInt64) -> String { thousandths(nanoseconds / 1_000) }

/// A count of thousandths as a decimal with three places (`1700000000123` →
/// "1700000000.123"): integer arithmetic only, no format string, no floating point.
func thousandths(_ value: UInt64) -> String {
    let fraction = String(value % 1_000)
    return String(value / 1_000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
}
