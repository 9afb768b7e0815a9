import GRDB
import Hummingbird
import Logging

/// Answers a request whose store write or read failed with what went wrong, instead of a bare
/// 500: the disk (or the database's size limit) is full, the store is read-only, or the store
/// cannot be read. Each store operation is one transaction, so nothing of such a request was
/// applied; the device or client may retry once the store is writable again.
struct StoreErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let storePath: String
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DatabaseError {
            let answer = Self.answer(for: error, store: storePath)
            logger.error("\(request.method) \(request.uri.path): \(answer.message) [\(error.resultCode)]")
            throw answer
        }
    }

    static func answer(for error: DatabaseError, store: String) -> APIError {
        let nothing = "nothing of this request was stored"
        switch error.resultCode {
        case .SQLITE_FULL:
            return APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), "store-full",
                            "the lab's store \(store) cannot grow: the disk or its size limit is full; \(nothing)")
        case .SQLITE_READONLY:
            return APIError(.serviceUnavailable, "store-read-only", "the lab's store \(store) is read-only; \(nothing)")
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_BUSY, .SQLITE_LOCKED:
            return APIError(.serviceUnavailable, "store-unavailable",
                            "the lab's store \(store) cannot be used (\(error.message ?? "\(error.resultCode)")); \(nothing)")
        default:
            return APIError(.internalServerError, "store-error",
                            "the lab's store \(store) refused the request (\(error.message ?? "\(error.resultCode)")); \(nothing)")
        }
    }
}
