import Hummingbird
import Logging
import SGPOSClient
import SGPOSOperations

/// Turns every error a handler throws into the API's problem document
/// (`{"error", "code", "message"}`), so clients see one error shape: 400 malformed,
/// 404 not found, 413 too large, 405 wrong method (with `Allow`: a path the ``RouteTable``
/// knows, asked with another method), 500 internal (logged, no details).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && routes.answersOtherMethods(request) {
            // The path exists; the method does not.
            let allowed = routes.methods(for: request.uri.path)
            var response = problem(.methodNotAllowed, "method-not-allowed", 0,
                                   "\(request.uri.path) answers \(allowed.joined(separator: ", ")), not \(request.method)")
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        } catch let error as HTTPError {
            let name: String
            switch error.status {
            case .badRequest: name = "malformed"
            case .notFound: name = "not-found"
            case .contentTooLarge: name = "too-large"
            case .methodNotAllowed: name = "method-not-allowed"
            default: name = "error"
            }
            let message = error.body ?? (error.status == .notFound ? "no such resource: \(request.uri.path)" : "\(error.status)")
            return problem(error.status, name, 0, message)
        } catch let error as RequestAuthError {
            // No or a bad request signature (401), a role that may not (403).
            return problem(error.status, error.name, error.code, error.message)
        } catch let error as RequestError {
            // A field over its limit or malformed, found by the application layer.
            return problem(.badRequest, "malformed", 0, error.message)
        } catch {
            logger.error("request \(request.method) \(request.uri.path) failed: \(error)")
            return problem(.internalServerError, "internal", 0, "the node could not answer; see its log")
        }
    }
}
