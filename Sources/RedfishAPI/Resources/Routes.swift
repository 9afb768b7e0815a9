import Foundation
import HTTPTypes
import LabFiles
import LabService
import LabStore

/// Which resource a path names, and what each method does to it.
extension RedfishService {
    func route(_ request: RedfishRequest, caller: Caller?) async throws -> Reply {
        guard let segments = request.segments else {
            return try only(request, [.get, .head]) { Reply(["v1": "/redfish/v1/"]) }
        }
        switch segments {
        case []:
            return try only(request, [.get, .head]) { Reply(serviceRoot()) }
        case ["odata"]:
            return try only(request, [.get, .head]) { Reply(odataDocument()) }
        case ["$metadata"]:
            return try only(request, [.get, .head]) {
                var reply = Reply(nil)
                reply.text = ("application/xml", Self.metadata)
                return reply
            }
        case ["Schemas", PxelabOem.file]:
            return try only(request, [.get, .head]) {
                var reply = Reply(nil)
                reply.text = ("application/xml", PxelabOem.csdl)
                return reply
            }
        case ["Systems"]:
            return try only(request, [.get, .head]) { Reply(systemCollection()) }
        case let path where path.count >= 2 && path[0] == "Systems":
            return try await systems(request, Array(path.dropFirst()), caller: caller)
        case ["Chassis"]:
            return try only(request, [.get, .head]) { Reply(chassisCollection()) }
        case let path where path.count >= 2 && path[0] == "Chassis":
            let device = try device(path[1])
            switch Array(path.dropFirst(2)) {
            case []: return try only(request, [.get, .head]) { Reply(chassis(device)) }
            case ["Drives"]:
                return try only(request, [.get, .head]) {
                    Reply(Self.collection(Self.chassisPath(device) + "/Drives", type: "DriveCollection", name: "Drive Collection",
                                          members: [Self.drivePath(device)]))
                }
            case ["Drives", StateDisk.target]: return try only(request, [.get, .head]) { Reply(stateDrive(device)) }
            default: throw RedfishError.notFound("Resource", "/redfish/v1/" + segments.joined(separator: "/"))
            }
        case ["Managers"]:
            return try only(request, [.get, .head]) { Reply(managerCollection()) }
        case let path where path.count >= 2 && path[0] == "Managers":
            return try managers(request, Array(path.dropFirst()))
        // Logins and password changes hash with bcrypt: they run off the cooperative pool.
        case let path where path.first == "SessionService":
            return try await Offload.run { try self.sessionService(request, Array(path.dropFirst()), caller: caller) }
        case let path where path.first == "AccountService":
            return try await Offload.run { try self.accountService(request, Array(path.dropFirst()), caller: caller) }
        case let path where path.first == "TaskService":
            return try taskService(request, Array(path.dropFirst()))
        default:
            throw RedfishError.notFound("Resource", "/redfish/v1/" + segments.joined(separator: "/"))
        }
    }

    /// Runs `body` for the methods a resource allows; any other is 405 with `Allow`.
    func only(_ request: RedfishRequest, _ allowed: [HTTPRequest.Method], _ body: () throws -> Reply) throws -> Reply {
        guard allowed.contains(request.method) else { throw MethodNotAllowed(allowed: allowed) }
        var reply = try body()
        reply.allow = allowed
        return reply
    }

    /// The lab device a system, chassis or interface path names: by its SMBIOS UUID (any case) or
    /// its name.
    func device(_ id: String) throws -> LabDevice {
        if let device = devicesByUUID[id.lowercased()] ?? devicesByName[id] { return device }
        throw RedfishError.notFound("ComputerSystem", id)
    }

    static func link(_ path: String) -> [String: Any] { ["@odata.id": path] }

    static func collection(_ path: String, type: String, name: String, members: [String]) -> [String: Any] {
        ["@odata.id": path, "@odata.type": "#\(type).\(type)", "Name": name,
         "Members@odata.count": members.count, "Members": members.map(link)]
    }

    static var enabled: [String: Any] { ["State": "Enabled", "Health": "OK"] }
}

/// A method the resource does not allow: 405 with the methods it does.
struct MethodNotAllowed: Error {
    let allowed: [HTTPRequest.Method]
}
