import Foundation
import Hummingbird
import Autopilot
import DeviceProtocol
import LabStore
import LabTopology

/// Refuses requests without the lab's admin bearer token.
struct AdminAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = Tokens.bearer(of: request) else { throw APIError.missingToken }
        guard Tokens.equal(presented, token) else { throw APIError.badToken }
        return try await next(request, context)
    }
}

/// A lab device as the admin API shows it.
struct AdminDevice: Codable {
    var name: String
    var serial: String
    var model: String
    var mac: String
    var uuid: String
    var lifecycle: DeviceLifecycle
    var bootMode: BootMode
    var errorCode: String?
    var lastSeq: Int
    var bootCount: Int
    var lastSeenAt: Date?
    var registration: Registration?

    struct Registration: Codable {
        var ztdId: String
        var groupTag: String?
        var assignedUser: String?
        var groups: [String]
        var profile: String?
        /// `user-driven`, `self-deploying`, `pre-provisioning` or `hybrid`.
        var mode: String?
        var assignmentStatus: ProfileAssignment.Status
    }
}

/// `POST /api/v1/devices/{name}/actions`.
struct AdminActionRequest: Codable {
    /// `reset`, `wipe`, `repurpose`, `retire`, `power-off`, `reboot`, `provision`, `reseal`.
    var action: String
    var remote: Bool?
    var keepEnrollment: Bool?
    var keepUserData: Bool?
    var groupTag: String?
    var assignedUser: String?
}

/// `POST /api/v1/groups`.
struct GroupRequest: Codable {
    var name: String
    var rule: String?
    var members: [String]?
}

extension BootEndpoint {
    func addAdminRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("/api/v1").add(middleware: AdminAuthMiddleware(token: adminToken))
        api.get("/devices") { _, _ in try JSONBody.response(try self.adminDevices()) }
        api.get("/devices/:name") { _, context in
            let name = try context.parameters.require("name")
            guard let device = try self.adminDevices(named: name).first else {
                throw APIError.notFound("no lab device named '\(name)'")
            }
            return try JSONBody.response(device)
        }
        api.get("/devices/:name/timeline") { _, context in
            let name = try context.parameters.require("name")
            guard try self.lab.store.device(named: name) != nil else { throw APIError.notFound("no lab device named '\(name)'") }
            return try JSONBody.response(try self.lab.store.events(of: name).map(\.event))
        }
        api.post("/devices/:name/actions") { request, context in
            let name = try context.parameters.require("name")
            let body = try await JSONBody.decode(AdminActionRequest.self, from: request, limit: self.options.maxBodyBytes)
            return try JSONBody.response(try self.queueAction(body, for: name), status: .accepted)
        }
        api.post("/devices/:name/flows/:flow") { request, context in
            let name = try context.parameters.require("name")
            let flow = try context.parameters.require("flow")
            guard try self.lab.store.device(named: name) != nil else { throw APIError.notFound("no lab device named '\(name)'") }
            let body = try await JSONBody.bytes(of: request, limit: self.options.maxBodyBytes)
            let options = body.isEmpty ? [:] : try JSONBody.decode([String: String].self, from: body)
            guard let labOperator = self.labOperator else {
                throw APIError(.conflict, "no-devices-hosted", "this controller does not host the lab's devices; "
                               + "queue the action with POST /api/v1/devices/\(name)/actions instead")
            }
            do {
                let json = try await labOperator.perform(flow: flow, device: name, options: options)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError(.unprocessableContent, "flow-failed", "\(error)", field: "flow")
            }
        }
        api.get("/devices/:name/screen") { _, context in
            let name = try context.parameters.require("name")
            guard try self.lab.store.device(named: name) != nil else { throw APIError.notFound("no lab device named '\(name)'") }
            guard let labOperator = self.labOperator else {
                throw APIError(.conflict, "no-devices-hosted", "this controller does not host the lab's devices, so it cannot show their screens")
            }
            do {
                let png = try await labOperator.screen(of: name)
                return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(bytes: png)))
            } catch {
                throw APIError(.conflict, "no-screen", "\(name) has no screen to show: \(error)")
            }
        }
        api.get("/devices/:name/faults") { _, context in
            let name = try context.parameters.require("name")
            guard try self.lab.store.device(named: name) != nil else { throw APIError.notFound("no lab device named '\(name)'") }
            return try JSONBody.response(try self.lab.store.faults(of: name))
        }
        api.post("/devices/:name/faults") { request, context in
            let name = try context.parameters.require("name")
            guard try self.lab.store.device(named: name) != nil else { throw APIError.notFound("no lab device named '\(name)'") }
            var fault = try await JSONBody.decode(Fault.self, from: request, limit: self.options.maxBodyBytes)
            if !fault.id.hasPrefix("api-") { fault.id = "api-" + fault.id }
            if fault.kind == .otherTenant { try self.lab.autopilot.moveToOtherTenant(serial: try self.lab.store.device(named: name)!.serial) }
            try self.lab.store.addFault(fault, to: name)
            return try JSONBody.response(fault, status: .created)
        }
        api.delete("/devices/:name/faults") { _, context in
            let name = try context.parameters.require("name")
            guard try self.lab.store.device(named: name) != nil else { throw APIError.notFound("no lab device named '\(name)'") }
            return try JSONBody.response(["cleared": try self.lab.store.clearFaults(of: name)])
        }
        api.get("/registry") { _, _ in
            try JSONBody.response(try self.lab.store.registeredDevices().filter { $0.tenantID == self.lab.autopilot.tenant.id })
        }
        api.post("/registry/import") { request, _ in
            let data = try await JSONBody.bytes(of: request, limit: self.options.maxAdminBodyBytes)
            do {
                return try JSONBody.response(try self.lab.autopilot.importCSV(data, source: "upload"), status: .created)
            } catch let error as CSVImportError {
                throw APIError(.unprocessableContent, "csv-rejected", error.description, field: "body",
                               details: Dictionary(error.problems.enumerated().map { ("problem\($0.offset + 1)", $0.element.description) },
                                                   uniquingKeysWith: { first, _ in first }))
            }
        }
        api.get("/registry/export") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/csv; charset=us-ascii",
                                            .contentDisposition: "attachment; filename=\"autopilot-devices.csv\""],
                     body: .init(byteBuffer: ByteBuffer(bytes: try self.lab.autopilot.exportCSV())))
        }
        api.delete("/registry/:serial") { _, context in
            let serial = try context.parameters.require("serial")
            guard try self.lab.autopilot.deregister(serial: serial) else { throw APIError.notFound("no registration with serial '\(serial)'") }
            return Response(status: .noContent)
        }
        api.get("/groups") { _, _ in try JSONBody.response(self.lab.autopilot.configuration.groups) }
        api.post("/groups") { request, _ in
            let body = try await JSONBody.decode(GroupRequest.self, from: request, limit: self.options.maxBodyBytes)
            return try JSONBody.response(try self.addGroup(body), status: .created)
        }
        api.get("/profiles") { _, _ in try JSONBody.response(self.lab.autopilot.configuration.profiles) }
        api.post("/profiles") { request, _ in
            let data = try await JSONBody.bytes(of: request, limit: self.options.maxBodyBytes)
            return try JSONBody.response(try self.addProfile(String(decoding: data, as: UTF8.self)), status: .created)
        }
        api.delete("/profiles/:id") { _, context in
            let id = try context.parameters.require("id")
            var found = false
            self.lab.autopilot.configure { configuration in
                found = configuration.profiles.contains { $0.id == id }
                configuration.profiles.removeAll { $0.id == id }
            }
            guard found else { throw APIError.notFound("no profile with id '\(id)'") }
            try self.lab.store.saveConfiguration(self.lab.autopilot.configuration)
            return Response(status: .noContent)
        }
        api.get("/assignments") { _, _ in try JSONBody.response(try self.adminDevices().compactMap(\.registration)) }
        api.get("/discovered") { _, _ in try JSONBody.response(try self.lab.store.seenDevices()) }
        api.get("/conflicts") { _, _ in try JSONBody.response(try self.lab.store.conflicts()) }
    }

    /// The lab's devices (or the one named) with their registration, groups and profile.
    func adminDevices(named name: String? = nil) throws -> [AdminDevice] {
        let service = lab.autopilot
        let resolver = AssignmentResolver(configuration: service.configuration)
        let devices = try name.map { try lab.store.device(named: $0).map { [$0] } ?? [] } ?? lab.store.devices()
        let registered = try name == nil ? lab.store.registeredDevices()
            : devices.flatMap { try lab.store.registeredDevices(serial: $0.serial) }
        let registrations = Dictionary(registered.filter { $0.tenantID == service.tenant.id }
            .map { ($0.serialNumber, $0) }, uniquingKeysWith: { first, _ in first })
        return try devices.map { device in
            var registration: AdminDevice.Registration?
            if let registered = registrations[device.serial] {
                let (assignment, profile) = try service.assignment(of: registered)
                registration = .init(ztdId: registered.id, groupTag: registered.groupTag, assignedUser: registered.assignedUser,
                                     groups: resolver.groups(of: registered).map(\.displayName), profile: profile?.displayName,
                                     mode: profile.map { $0.isHybrid ? "hybrid" : $0.mode.rawValue },
                                     assignmentStatus: assignment.status(at: clock(),
                                                                         delaySeconds: service.configuration.assignmentDelaySeconds))
            }
            return AdminDevice(name: device.name, serial: device.serial, model: device.model, mac: device.mac, uuid: device.uuid,
                               lifecycle: device.lifecycle, bootMode: device.lifecycle.bootMode,
                               errorCode: device.errorCode.map(ErrorCode.text), lastSeq: device.lastSeq,
                               bootCount: device.bootCount, lastSeenAt: device.lastSeenAt, registration: registration)
        }
    }

    /// Queues the device-side part of an admin action; the device carries it out when it next
    /// asks what to do.
    func queueAction(_ request: AdminActionRequest, for name: String) throws -> [String: String] {
        guard let device = try lab.store.device(named: name) else { throw APIError.notFound("no lab device named '\(name)'") }
        let action: NextAction
        switch request.action {
        case "reset": action = .reset(remote: request.remote ?? true)
        case "wipe": action = .wipe(keepEnrollment: request.keepEnrollment ?? false, keepUserData: request.keepUserData ?? false)
        case "repurpose":
            if let tag = request.groupTag {
                if let problem = GroupTag.problem(tag) { throw APIError.badRequest(problem, field: "groupTag") }
                try setGroupTag(tag, user: request.assignedUser, serial: device.serial)
            }
            action = .wipe(keepEnrollment: false, keepUserData: false)
        case "retire":
            _ = try lab.autopilot.deregister(serial: device.serial)
            action = .retire
        case "power-off": action = .powerOff
        case "reboot": action = .reboot
        case "provision": action = .provision
        case "reseal": action = .reseal
        default:
            throw APIError.badRequest("'\(request.action)' is not an action: use reset, wipe, repurpose, retire, power-off, "
                                      + "reboot, provision or reseal", field: "action")
        }
        try lab.store.enqueue(action, for: name, at: clock())
        return ["device": name, "queued": request.action]
    }

    func setGroupTag(_ tag: String, user: String?, serial: String) throws {
        for var registration in try lab.store.registeredDevices(serial: serial) where registration.tenantID == lab.autopilot.tenant.id {
            registration.groupTag = tag.isEmpty ? nil : tag
            if let user { registration.assignedUser = user.isEmpty ? nil : user }
            try lab.store.update(registration)
        }
    }

    func addGroup(_ request: GroupRequest) throws -> DeviceGroup {
        let membership: DeviceGroup.Membership
        switch (request.rule, request.members) {
        case (let rule?, nil):
            do { membership = .dynamic(try MembershipRule(rule)) } catch {
                throw APIError(.unprocessableContent, "bad-rule", "rule \(error.description)", field: "rule",
                               details: ["column": String(error.column)])
            }
        case (nil, let members?): membership = .assigned(serials: members)
        default: throw APIError.badRequest("a group has either a rule or members", field: "rule")
        }
        let group = DeviceGroup(id: UUID().uuidString.lowercased(), displayName: request.name, membership: membership)
        var duplicate = false
        lab.autopilot.configure { configuration in
            duplicate = configuration.groups.contains { $0.displayName == request.name }
            if !duplicate { configuration.groups.append(group) }
        }
        guard !duplicate else { throw APIError(.conflict, "exists", "a group named '\(request.name)' exists", field: "name") }
        try lab.store.saveConfiguration(lab.autopilot.configuration)
        return group
    }

    func addProfile(_ json: String) throws -> DeploymentProfile {
        var profile: DeploymentProfile
        do {
            profile = try Topology.readProfile(json, file: "request body", lab: lab.topology.lab)
        } catch {
            throw APIError(.unprocessableContent, "bad-profile", error.description,
                           field: error.diagnostics.first.flatMap { $0.path.isEmpty ? nil : $0.path })
        }
        profile.createdDateTime = clock()
        profile.lastModifiedDateTime = profile.createdDateTime
        let groups = Set(lab.autopilot.configuration.groups.map(\.displayName)).union([DeploymentProfile.allDevices])
        if let missing = (profile.assignments + profile.exclusions).first(where: { !groups.contains($0) }) {
            throw APIError(.unprocessableContent, "unknown-group", "no group named '\(missing)'", field: "assignments")
        }
        var duplicate = false
        lab.autopilot.configure { configuration in
            duplicate = configuration.profiles.contains { $0.id == profile.id || $0.displayName == profile.displayName }
            if !duplicate { configuration.profiles.append(profile) }
        }
        guard !duplicate else { throw APIError(.conflict, "exists", "a profile with that id or name exists", field: "displayName") }
        try lab.store.saveConfiguration(lab.autopilot.configuration)
        return profile
    }
}
