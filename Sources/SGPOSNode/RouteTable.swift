import HTTPTypes
import Hummingbird
import Synchronization

/// The API's routes as registered: which methods each path pattern answers. Hummingbird
/// answers a known path with an unregistered method as not found; with this table the
/// ``ProblemMiddleware`` answers 405 with an `Allow` header instead (RFC 9110 §15.5.6),
/// as docs/API.md says.
final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [String], method: HTTPRequest.Method)]>([])

    func add(_ path: String, _ method: HTTPRequest.Method) {
        routes.withLock { $0.append((Self.segments(path), method)) }
    }

    /// The methods registered for a path that matches `path` (`{name}` or `:name` matches any one
    /// segment), sorted; empty when no pattern matches it.
    /// As the router resolves a path, the most literal pattern wins: `/v1/transactions/batch`
    /// is that route, not `/v1/transactions/{id}`.
    func methods(for path: String) -> [String] {
        let request = Self.segments(path)
        let matching = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == request.count
                    && zip(route.segments, request).allSatisfy { Self.isCapture($0) || $0 == $1 }
            }
        }
        guard let literal = matching.map({ $0.segments.filter { !Self.isCapture($0) }.count }).max() else { return [] }
        return Set(matching.filter { $0.segments.filter { !Self.isCapture($0) }.count == literal }.map(\.method.rawValue)).sorted()
    }

    private static func isCapture(_ segment: String) -> Bool { segment.hasPrefix("{") || segment.hasPrefix(":") }

    /// Whether the request's path is a route that does not answer the request's method.
    func answersOtherMethods(_ request: Request) -> Bool {
        let allowed = methods(for: request.uri.path)
        return !allowed.isEmpty && !allowed.contains(request.method.rawValue)
    }

    private static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }
}

/// A router that records each route in a ``RouteTable`` as it registers it.
struct RecordingRouter: RouterMethods {
    typealias Context = BasicRequestContext
    let router: Router<BasicRequestContext>
    let table: RouteTable

    @discardableResult func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        table.add(path.description, method)
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}
