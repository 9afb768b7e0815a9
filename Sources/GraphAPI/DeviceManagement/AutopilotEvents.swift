import Foundation
import Hummingbird
import Autopilot
import LabService
import LabStore

/// `deviceManagement/autopilotEvents` (beta only): Intune's Autopilot deployment report, one row
/// per deployment, built from the lab's stored events; paged like the identities (by id).
extension GraphController {
    static let autopilotEvents = "deviceManagement/autopilotEvents"

    func autopilotEvents(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        let single = path.match(Self.autopilotEvents + "/{}")?.first
        guard request.method == .get, single != nil || path.match(Self.autopilotEvents) != nil else { return nil }
        guard path.version == .beta else { throw GraphError.notFound("Resource not found for the segment 'autopilotEvents'.") }
        let lab = lab
        var deployments = try await Offload.run { try lab.autopilotDeployments() }
        deployments.sort { $0.id < $1.id }
        if let single {
            guard let deployment = deployments.first(where: { $0.id.lowercased() == single.lowercased() }) else {
                throw GraphError.notFound("The deviceManagementAutopilotEvent with id '\(single)' was not found.")
            }
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context(Self.autopilotEvents + "/$entity"))
                Self.write(deployment, into: &object)
            })
        }
        let query = request.query
        if let filter = query.filter {
            for (name, _) in filter.terms where !Self.eventFilterable.contains(name) {
                throw GraphError.badRequest("Could not find a property named '\(name)' on type 'microsoft.graph.deviceManagementAutopilotEvent'.")
            }
            deployments = deployments.filter { deployment in filter.matches { Self.eventProperty($0, of: deployment) } }
        }
        let after = try query.skipToken.map(Self.lastID(inSkipToken:))
        let (page, more) = Self.keysetPage(deployments, id: \.id, after: after, size: query.pageSize)
        return Self.pageAnswer(request, set: Self.autopilotEvents, page, total: deployments.count, more: more, id: \.id) {
            Self.write($1, into: &$0)
        }
    }

    /// The properties `$filter` may read, lowercased.
    static let eventFilterable: Set<String> = ["id", "deviceserialnumber", "deploymentstate", "manageddevicename",
                                               "windowsautopilotdeploymentprofiledisplayname"]

    static func eventProperty(_ name: String, of deployment: AutopilotDeployment) -> String? {
        switch name {
        case "id": deployment.id
        case "deviceserialnumber": deployment.serialNumber
        case "deploymentstate": deployment.state.rawValue
        case "manageddevicename": deployment.deviceName ?? ""
        case "windowsautopilotdeploymentprofiledisplayname": deployment.profileName ?? ""
        default: nil
        }
    }

    /// Graph's `enrollmentType` for an Autopilot scenario.
    static func enrollmentType(_ scenario: AutopilotScenario?) -> String {
        switch scenario {
        case .userDriven?: "azureADJoinedWithAutopilotProfile"
        case .selfDeploying?: "azureADJoinedUsingDeviceAuthWithAutopilotProfile"
        case .hybrid?: "offlineDomainJoined"
        case .preProvisioning?: "azureADJoinedWithWhiteGlove"
        case nil: "unknown"
        }
    }

    /// An ISO 8601 duration, as Graph writes them: `PT12M3S`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        let (hours, minutes, rest) = (whole / 3600, whole % 3600 / 60, seconds - Double(whole / 60 * 60))
        var text = "PT"
        if hours > 0 { text += "\(hours)H" }
        if minutes > 0 { text += "\(minutes)M" }
        let fraction = (rest * 1000).rounded() / 1000
        text += fraction == fraction.rounded() ? "\(Int(fraction))S" : "\(fraction)S"
        return text
    }

    static func write(_ deployment: AutopilotDeployment, into object: inout ObjectWriter) {
        object.field("id", deployment.id)
        object.field("deviceId", deployment.managedDeviceID ?? "")
        object.field("eventDateTime", GraphJSON.dateTime(deployment.lastEvent))
        object.field("deviceRegisteredDateTime", deployment.registeredAt.map(GraphJSON.dateTime) ?? GraphJSON.never)
        object.field("enrollmentStartDateTime", deployment.enrollmentStarted.map(GraphJSON.dateTime) ?? GraphJSON.never)
        object.field("enrollmentType", enrollmentType(deployment.scenario))
        object.field("deviceSerialNumber", deployment.serialNumber)
        object.field("managedDeviceName", deployment.deviceName ?? "")
        object.field("userPrincipalName", deployment.userPrincipalName ?? "")
        object.field("windowsAutopilotDeploymentProfileDisplayName", deployment.profileName ?? "")
        object.field("enrollmentState", deployment.managedDeviceID == nil ? "notContacted" : "enrolled")
        object.field("windows10EnrollmentCompletionPageConfigurationDisplayName", "")
        object.field("windows10EnrollmentCompletionPageConfigurationId", "")
        object.field("deploymentState", deployment.state.rawValue)
        object.field("deviceSetupStatus", deployment.deviceSetup.rawValue)
        object.field("accountSetupStatus", deployment.accountSetup.rawValue)
        object.field("osVersion", "")
        object.field("deploymentDuration", duration(deployment.seconds))
        object.field("deploymentTotalDuration", duration(deployment.seconds))
        object.field("devicePreparationDuration", "PT0S")
        object.field("deviceSetupDuration", duration(deployment.deviceSetupSeconds))
        object.field("accountSetupDuration", duration(deployment.accountSetupSeconds))
        object.field("deploymentStartDateTime", GraphJSON.dateTime(deployment.started))
        object.field("deploymentEndDateTime", deployment.ended.map(GraphJSON.dateTime) ?? GraphJSON.never)
        object.field("targetedAppCount", 0)
        object.field("targetedPolicyCount", 0)
        object.field("enrollmentFailureDetails",
                     deployment.errorCode.map { "\($0): \(deployment.failureMessage ?? "")" } ?? deployment.failureMessage ?? "")
    }
}
