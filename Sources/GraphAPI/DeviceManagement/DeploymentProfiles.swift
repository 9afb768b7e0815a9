import Foundation
import Hummingbird
import Autopilot
import LabFiles
import LabService
import LabStore

/// `deviceManagement/windowsAutopilotDeploymentProfiles` (beta only, as in Intune): profiles
/// created, read, listed, replaced whole (PATCH, as Set-AutopilotProfile sends the object it
/// read), deleted (refused while assigned); their `assignments` (group, exclusion, All Devices;
/// ids `{profile}_{group}_0`) and `assignedDevices`.
extension GraphController {
    static let profiles = "deviceManagement/windowsAutopilotDeploymentProfiles"
    /// The fixed group id Intune gives "All devices".
    static let allDevicesGroupID = "adadadad-808e-44e2-905a-0b7873a8a531"

    func deploymentProfiles(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        guard path.segments.count >= 2, path.match(Self.profiles + String(repeating: "/{}", count: path.segments.count - 2)) != nil else {
            return nil
        }
        // Deployment profiles are beta only: v1.0 has no such segment.
        guard path.version == .beta else { throw GraphError.notFound("Resource not found for the segment 'windowsAutopilotDeploymentProfiles'.") }
        let service = lab.autopilot
        // Profile and assignment ids are GUIDs, which Graph matches in any case.
        let keys = path.segments.dropFirst(2).enumerated().map { $0.offset == 1 ? $0.element : $0.element.lowercased() }
        switch (request.method, keys.count) {
        case (.get, 0):
            return try collection(request, context: Self.profiles, type: "windowsAutopilotDeploymentProfile", service.configuration.profiles,
                                  property: Self.profileProperty) { DeploymentProfileEntity.write($1, into: &$0) }
        case (.post, 0):
            let profile = try await Offload.run { try service.addProfile(try self.readProfile(request.body)) }
            return profileResponse(profile, request, status: .created)
        case (.get, 1):
            return profileResponse(try service.profile(id: keys[0]), request)
        case (.patch, 1), (.put, 1):
            let profile = try await Offload.run { try service.replaceProfile(id: keys[0], with: try self.readProfile(request.body)) }
            return profileResponse(profile, request)
        case (.delete, 1):
            try await Offload.run { try service.deleteUnassignedProfile(id: keys[0]) }
            return GraphResponse.noContent
        case (.get, 2) where keys[1].lowercased() == "assignments":
            let targets = try service.targets(ofProfile: keys[0])
            return GraphResponse.json(GraphJSON.object { root in
                root.field("@odata.context", request.context(Self.profiles + "('\(keys[0])')/assignments"))
                root.objects("value", targets) { self.writeAssignment($1, profileID: keys[0], into: &$0) }
            })
        case (.post, 2) where keys[1].lowercased() == "assignments":
            let target = try readTarget(try request.parsedBody())
            try await Offload.run { try service.assign(profileID: keys[0], to: target) }
            return GraphResponse.json(GraphJSON.object { object in
                object.field("@odata.context", request.context(Self.profiles + "('\(keys[0])')/assignments/$entity"))
                writeAssignment(target, profileID: keys[0], into: &object)
            }, status: .created)
        case (.get, 3) where keys[1].lowercased() == "assignments", (.delete, 3) where keys[1].lowercased() == "assignments":
            let targets = try service.targets(ofProfile: keys[0])
            guard let target = targets.first(where: { assignmentID($0, profileID: keys[0]) == keys[2] }) else {
                throw GraphError.notFound("The windowsAutopilotDeploymentProfileAssignment with id '\(keys[2])' was not found.")
            }
            if request.method == .delete {
                _ = try await Offload.run { try service.unassign(profileID: keys[0], from: target) }
                return GraphResponse.noContent
            }
            return GraphResponse.json(GraphJSON.object { object in
                object.field("@odata.context", request.context(Self.profiles + "('\(keys[0])')/assignments/$entity"))
                writeAssignment(target, profileID: keys[0], into: &object)
            })
        case (.get, 2) where keys[1].lowercased() == "assigneddevices":
            let states = try await Offload.run { try service.assignedDevices(ofProfile: keys[0]) }
            return GraphResponse.json(GraphJSON.object { root in
                root.field("@odata.context", request.context(Self.identities))
                root.field("@odata.count", states.count)
                root.objects("value", states, selecting: request.query.select) { object, state in
                    Self.write(state, version: .beta, expand: [], into: &object)
                }
            })
        case (_, 2):
            throw GraphError.segment(keys[1])
        default:
            return nil
        }
    }

    static func profileProperty(_ name: String, of profile: DeploymentProfile?) -> String? {
        switch name {
        case "id": profile?.id ?? ""
        case "displayname": profile?.displayName ?? ""
        case "description": profile?.description ?? ""
        case "language": profile?.language ?? ""
        default: nil
        }
    }

    func profileResponse(_ profile: DeploymentProfile, _ request: GraphRequest, status: HTTPResponse.Status = .ok) -> Response {
        GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
            object.field("@odata.context", request.context(Self.profiles + "/$entity"))
            DeploymentProfileEntity.write(profile, into: &object)
        }, status: status)
    }

    /// A profile from Graph's JSON, by the lab file's profile rules; a problem is a 400 naming it.
    func readProfile(_ body: Data) throws -> DeploymentProfile {
        var json = LenientJSON.strict(body)
        // Annotations a client copies from a GET (`@odata.context`, `@odata.id`) say nothing of the
        // profile: left out, as Graph ignores them; `@odata.type` names its subtype.
        if let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
           object.keys.contains(where: { $0.hasPrefix("@odata.") && $0 != "@odata.type" }) {
            json = try JSONSerialization.data(withJSONObject: object.filter { !$0.key.hasPrefix("@odata.") || $0.key == "@odata.type" })
        }
        let text = String(decoding: json, as: UTF8.self)
        do {
            return try LabFile.readProfile(text, file: "request body", lab: lab.labFile.lab)
        } catch {
            throw GraphError.badRequest(error.description)
        }
    }

    /// An assignment's target: `groupAssignmentTarget`, `exclusionGroupAssignmentTarget` (by
    /// group id) or `allDevicesAssignmentTarget`.
    func readTarget(_ body: GraphBody) throws -> AutopilotService.ProfileTarget {
        guard let target = body.fields["target"] as? [String: Any] else { throw GraphError.badRequest("target is required.") }
        let fields = GraphBody(fields: target)
        let type = (try fields.string("@odata.type") ?? "").lowercased().trimmingCharacters(in: ["#"])
        if type == "microsoft.graph.alldevicesassignmenttarget" { return .allDevices }
        guard let groupID = try fields.string("groupId") else { throw GraphError.badRequest("target.groupId is required.") }
        if groupID == Self.allDevicesGroupID { return .allDevices }
        guard let group = lab.autopilot.configuration.groups.first(where: { $0.id.lowercased() == groupID.lowercased() }) else {
            throw GraphError.badRequest("No group with id '\(groupID)'.")
        }
        switch type {
        case "microsoft.graph.groupassignmenttarget": return .group(group.displayName)
        case "microsoft.graph.exclusiongroupassignmenttarget": return .exclusion(group.displayName)
        default: throw GraphError.badRequest("target.@odata.type '\(type)' is not a device assignment target.")
        }
    }

    func groupID(of target: AutopilotService.ProfileTarget) -> String {
        switch target {
        case .allDevices: return Self.allDevicesGroupID
        case .group(let name), .exclusion(let name):
            return lab.autopilot.configuration.groups.first { $0.displayName == name }?.id ?? name
        }
    }

    func assignmentID(_ target: AutopilotService.ProfileTarget, profileID: String) -> String {
        "\(profileID)_\(groupID(of: target))_0"
    }

    func writeAssignment(_ target: AutopilotService.ProfileTarget, profileID: String, into object: inout ObjectWriter) {
        object.field("id", assignmentID(target, profileID: profileID))
        object.field("source", "direct")
        object.field("sourceId", profileID)
        object.object("target") { writeTarget(target, into: &$0) }
    }

    /// An assignment target: its `@odata.type`, no filter, and its group's id.
    func writeTarget(_ target: AutopilotService.ProfileTarget, into object: inout ObjectWriter) {
        switch target {
        case .allDevices: object.field("@odata.type", "#microsoft.graph.allDevicesAssignmentTarget")
        case .group: object.field("@odata.type", "#microsoft.graph.groupAssignmentTarget")
        case .exclusion: object.field("@odata.type", "#microsoft.graph.exclusionGroupAssignmentTarget")
        }
        object.nullField("deviceAndAppManagementAssignmentFilterId")
        object.field("deviceAndAppManagementAssignmentFilterType", "none")
        if target != .allDevices { object.field("groupId", groupID(of: target)) }
    }
}
