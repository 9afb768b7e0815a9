import Hummingbird
import LabService

/// Refuses requests without the lab's admin bearer token.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = Tokens.bearer(of: request) else { throw APIError.missingToken }
        guard Secret.equal(presented, token) else { throw APIError.badToken }
        return try await next(request, context)
    }
}
