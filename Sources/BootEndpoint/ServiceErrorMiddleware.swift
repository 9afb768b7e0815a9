import Hummingbird
import Autopilot
import LabService
import LabStore
import Logging

/// Answers a request the lab's service refused with what went wrong, in the API's error shape:
/// its own refusals (``LabError``), a CSV import's problems, and a store that cannot be used
/// (its disk full, read-only, unreadable). Each service operation is one transaction, so
/// nothing of a refused request was applied; the client may retry once the store is writable.
struct ServiceErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as LabStoreError {
            let answer = APIError(error)
            logger.error("\(request.method) \(request.uri.path): \(answer.message)")
            throw answer
        } catch let error as LabError {
            throw APIError(error)
        } catch let error as CSVImportError {
            throw APIError(.unprocessableContent, "csv-rejected", error.description, field: "body",
                           details: Dictionary(error.problems.enumerated().map { ("problem\($0.offset + 1)", $0.element.description) },
                                               uniquingKeysWith: { first, _ in first }))
        }
    }
}

extension APIError {
    /// A store that cannot be used.
    init(_ error: LabStoreError) {
        let nothing = "; nothing of this request was stored"
        switch error.kind {
        case .full: self.init(.init(code: 507, reasonPhrase: "Insufficient Storage"), "store-full", error.description + nothing)
        case .readOnly: self.init(.serviceUnavailable, "store-read-only", error.description + nothing)
        case .unavailable: self.init(.serviceUnavailable, "store-unavailable", error.description + nothing)
        case .refused: self.init(.internalServerError, "store-error", error.description + nothing)
        }
    }

    /// What the lab refused, with the status and the request field it comes from.
    init(_ error: LabError) {
        let text = error.description
        switch error {
        case .noDevice, .noRegistration, .noProfile, .noProfileNamed, .noSnapshot, .noEnrollmentStatusPage:
            self.init(.notFound, "not-found", text)
        case .unknownGroup: self.init(.unprocessableContent, "unknown-group", text, field: "assignments")
        case .groupExists: self.init(.conflict, "exists", text, field: "name")
        case .profileExists: self.init(.conflict, "exists", text, field: "displayName")
        case .badGroupTag: self.init(.badRequest, "bad-request", text, field: "groupTag")
        case .badRule(_, let column): self.init(.unprocessableContent, "bad-rule", text, field: "rule", details: ["column": String(column)])
        case .groupMembershipUnclear: self.init(.badRequest, "bad-request", text, field: "rule")
        case .dynamicGroup: self.init(.badRequest, "bad-request", text, field: "rule")
        case .alreadyMember: self.init(.conflict, "exists", text)
        case .badProfile(let problems):
            self.init(.unprocessableContent, "bad-profile", text,
                      field: problems.diagnostics.first.flatMap { $0.path.isEmpty ? nil : $0.path })
        case .badGraphSettings(let problems):
            self.init(.unprocessableContent, "bad-graph-settings", text,
                      field: problems.diagnostics.first.flatMap { $0.path.isEmpty ? nil : $0.path })
        case .notRunning: self.init(.conflict, "no-screen", text)
        case .deviceBusy: self.init(.conflict, "device-busy", text)
        case .tooManyIdentities: self.init(.badRequest, "bad-request", text, field: "body")
        case .profileAssigned, .allDevicesTaken, .groupIncludedAndExcluded, .syncInProgress: self.init(.conflict, "conflict", text)
        case .syncTooSoon: self.init(.tooManyRequests, "too-many-requests", text)
        case .enrollmentStatusPageExists: self.init(.conflict, "exists", text, field: "displayName")
        case .badEnrollmentStatusPage: self.init(.badRequest, "bad-request", text)
        case .labNotChosen, .unreadable, .unwritable: self.init(.internalServerError, "lab-state", text)
        case .missingOnHost, .bootAddressUnknown: self.init(.internalServerError, "host-setup", text)
        case .hostUnreachable: self.init(.serviceUnavailable, "host-unreachable", text)
        }
    }
}
