import Foundation
import Hummingbird
import Autopilot
import LabService
import LabStore

/// `groups`: the tenant's Entra device groups, listed and filtered (`displayName eq`, as
/// get-windowsautopilotinfo looks one up), read, created (a dynamic group from its
/// `membershipRule`, checked by the rule parser; an assigned group without one), given and relieved
/// of members through `members/$ref`, and deleted (with the assignments that named it).
extension GraphController {
    func groups(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        guard path.segments.first?.lowercased() == "groups" else { return nil }
        let service = lab.autopilot
        switch (request.method, path.segments.count) {
        case (.get, 1):
            return try collection(request, context: "groups", type: "group", service.configuration.groups,
                                  property: Self.groupProperty) { Self.write($1, into: &$0) }
        case (.get, 2):
            let group = try Self.group(path.segments[1], in: service)
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context("groups/$entity"))
                Self.write(group, into: &object)
            })
        case (.post, 1):
            let body = try request.parsedBody()
            guard let name = try body.string("displayName"), !name.isEmpty else { throw GraphError.badRequest("displayName is required.") }
            let dynamic = (body.fields["groupTypes"] as? [Any])?.contains { ($0 as? String) == "DynamicMembership" } ?? false
            let rule = try body.string("membershipRule")
            if dynamic && rule == nil { throw GraphError.badRequest("membershipRule is required for a group with DynamicMembership.") }
            if !dynamic && rule != nil { throw GraphError.badRequest("membershipRule applies to groups with DynamicMembership only.") }
            let group: DeviceGroup
            do {
                group = try await Offload.run { try service.addGroup(named: name, rule.map { .rule($0) } ?? .members([])) }
            } catch LabError.badRule(let problem, _) {
                throw GraphError.badRequest("Invalid membershipRule: \(problem)")
            }
            return GraphResponse.json(GraphJSON.object { object in
                object.field("@odata.context", request.context("groups/$entity"))
                Self.write(group, into: &object)
            }, status: .created)
        case (.post, 4) where path.segments[2].lowercased() == "members" && path.segments[3] == "$ref":
            let group = try Self.group(path.segments[1], in: service)
            guard let reference = try request.parsedBody().string("@odata.id"),
                  let objectID = reference.split(separator: "/").last.map(String.init) else {
                throw GraphError.badRequest("@odata.id is required: the member's directoryObjects URL.")
            }
            do {
                try await Offload.run {
                    try service.addMember(serial: Self.registration(objectID: objectID, in: service).serialNumber, toGroup: group.id)
                }
            } catch LabError.alreadyMember {
                throw GraphError.badRequest("One or more added object references already exist for the following modified properties: 'members'.")
            }
            return GraphResponse.noContent
        case (.delete, 2):
            let group = try Self.group(path.segments[1], in: service)
            try await Offload.run { try service.deleteGroup(id: group.id) }
            return GraphResponse.noContent
        case (.delete, 5) where path.segments[2].lowercased() == "members" && path.segments[4] == "$ref":
            let group = try Self.group(path.segments[1], in: service)
            let objectID = path.segments[3]
            try await Offload.run {
                try service.removeMember(serial: Self.registration(objectID: objectID, in: service).serialNumber, fromGroup: group.id)
            }
            return GraphResponse.noContent
        default:
            throw GraphError.segment(path.segments.last ?? "groups")
        }
    }

    /// The registration whose Entra device object has this id.
    static func registration(objectID: String, in service: AutopilotService) throws -> RegisteredDevice {
        guard let registration = try service.registrations().first(where: { entraObjectID(of: $0.id) == objectID.lowercased() }) else {
            throw GraphError.notFound("Resource '\(objectID)' does not exist or one of its queried reference-property objects are not present.")
        }
        return registration
    }

    static func group(_ id: String, in service: AutopilotService) throws -> DeviceGroup {
        guard let group = service.configuration.groups.first(where: { $0.id.lowercased() == id.lowercased() }) else {
            throw GraphError.notFound("Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return group
    }

    static func groupProperty(_ name: String, of group: DeviceGroup?) -> String? {
        switch name {
        case "id": group?.id ?? ""
        case "displayname": group?.displayName ?? ""
        case "mailnickname": group.map(mailNickname) ?? ""
        default: nil
        }
    }

    static func mailNickname(_ group: DeviceGroup) -> String {
        String(group.displayName.filter { $0.isLetter || $0.isNumber }.prefix(64))
    }

    static func write(_ group: DeviceGroup, into object: inout ObjectWriter) {
        object.field("id", group.id)
        object.field("displayName", group.displayName)
        object.field("description", "")
        object.field("mailEnabled", false)
        object.field("mailNickname", mailNickname(group))
        object.field("securityEnabled", true)
        switch group.membership {
        case .dynamic(let rule):
            object.field("groupTypes", ["DynamicMembership"])
            object.field("membershipRule", rule.text)
            object.field("membershipRuleProcessingState", "On")
        case .assigned:
            object.field("groupTypes", [String]())
            object.nullField("membershipRule")
            object.nullField("membershipRuleProcessingState")
        }
    }
}
