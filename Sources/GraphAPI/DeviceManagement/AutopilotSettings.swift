import Foundation
import Hummingbird
import DeviceIdentity
import LabService
import LabStore

/// `deviceManagement/windowsAutopilotSettings` (beta only): the tenant's Autopilot sync, read as
/// Get-AutopilotSyncInfo reads it and started as Invoke-AutopilotSync starts it (204; 409 while
/// one runs; 429 with `Retry-After` within 10 minutes of the last).
extension GraphController {
    static let settings = "deviceManagement/windowsAutopilotSettings"

    func autopilotSettings(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        let isSettings = path.match(Self.settings) != nil, isSync = path.match(Self.settings + "/sync") != nil
        guard isSettings || isSync else { return nil }
        guard path.version == .beta else { throw GraphError.notFound("Resource not found for the segment 'windowsAutopilotSettings'.") }
        let service = lab.autopilot
        switch request.method {
        case .get where isSettings:
            let last = try await Offload.run { try service.lastSync() }
            let now = clock()
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context(Self.settings + "/$entity"))
                object.field("id", IdentifierAllocator.stableUUID("autopilot-settings", service.tenant.id.uuidString).uuidString.lowercased())
                object.field("lastSyncDateTime", last.map { GraphJSON.dateTime(min($0.completes, now)) } ?? GraphJSON.never)
                object.field("lastManualSyncTriggerDateTime", last.map { GraphJSON.dateTime($0.lastManualSyncTrigger) } ?? GraphJSON.never)
                object.field("syncStatus", last?.status(at: now) ?? "unknown")
            })
        case .post where isSync:
            _ = try await Offload.run { try service.sync() }
            return GraphResponse.noContent
        default:
            throw GraphError(.methodNotAllowed, "BadRequest", "The method is not allowed on this resource.")
        }
    }
}
