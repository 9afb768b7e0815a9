import Foundation
import Hummingbird
import Autopilot
import DeviceProtocol
import LabService
import LabStore
import LabFiles

/// The admin API under `/api/v1`: each route parses its request, calls the lab's service (off
/// Swift's cooperative pool where it reads or writes the store) and renders the answer. The
/// service's refusals become API errors in ``ServiceErrorMiddleware``.
extension BootEndpoint {
    func addAdminRoutes(to router: Router<EndpointRequestContext>) {
        let api = router.group("/api/v1").add(middleware: AdminAuthMiddleware(token: adminToken))
        let lab = lab
        // Devices
        api.get("/devices") { _, _ in try JSONBody.response(try await Offload.run { try lab.deviceSummaries() }) }
        api.get("/devices/:name") { _, context in
            let name = try lab.device(try context.parameters.require("name")).name
            guard let device = try await Offload.run({ try lab.deviceSummaries(named: name).first }) else {
                throw LabError.noDevice(name, lab: lab.labFile.lab)
            }
            return try JSONBody.response(device)
        }
        api.get("/devices/:name/timeline") { _, context in
            let name = try context.parameters.require("name")
            return try JSONBody.response(try await Offload.run { try lab.events(of: name).map(\.event) })
        }
        api.post("/devices/:name/actions") { request, context in
            let name = try context.parameters.require("name")
            let body = try await JSONBody.decode(AdminActionRequest.self, from: request, limit: self.options.maxBodyBytes)
            let action = try body.deviceAction()
            try await Offload.run { try lab.queue(action, for: name) }
            return try JSONBody.response(["device": name, "queued": body.action], status: .accepted)
        }
        api.post("/devices/:name/flows/:flow") { request, context in
            let name = try lab.device(try context.parameters.require("name")).name
            let body = try await JSONBody.bytes(of: request, limit: self.options.maxBodyBytes)
            let flow = try AdminFlowRequest(name: try context.parameters.require("flow"),
                                            options: body.isEmpty ? [:] : try JSONBody.decode([String: String].self, from: body))
            guard let fleet = self.fleet else {
                throw APIError(.conflict, "no-devices-hosted", "this controller does not host the lab's devices; "
                               + "queue the action with POST /api/v1/devices/\(name)/actions instead")
            }
            do {
                return try await flow.perform(on: name, in: fleet)
            } catch let error as LabError {
                throw error
            } catch let error as LabStoreError {
                throw error
            } catch {
                throw APIError(.unprocessableContent, "flow-failed", "\(error)", field: "flow")
            }
        }
        api.get("/devices/:name/screen") { _, context in
            let name = try lab.device(try context.parameters.require("name")).name
            guard let fleet = self.fleet else {
                throw APIError(.conflict, "no-devices-hosted", "this controller does not host the lab's devices, so it cannot show their screens")
            }
            do {
                return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(bytes: try await fleet.screen(of: name))))
            } catch let error as LabError {
                throw error
            } catch {
                throw APIError(.conflict, "no-screen", "\(name) has no screen to show: \(error)")
            }
        }
        // Faults
        api.get("/devices/:name/faults") { _, context in
            let name = try context.parameters.require("name")
            return try JSONBody.response(try await Offload.run { try lab.faults(of: name) })
        }
        api.post("/devices/:name/faults") { request, context in
            let name = try context.parameters.require("name")
            let fault = try await JSONBody.decode(Fault.self, from: request, limit: self.options.maxBodyBytes)
            return try JSONBody.response(try await Offload.run { try lab.inject(fault, into: name) }, status: .created)
        }
        api.delete("/devices/:name/faults") { _, context in
            let name = try context.parameters.require("name")
            return try JSONBody.response(["cleared": try await Offload.run { try lab.clearFaults(of: name) }])
        }
        // Registry
        api.get("/registry") { _, _ in try JSONBody.response(try await Offload.run { try lab.autopilot.registrations() }) }
        api.post("/registry/import") { request, _ in
            let data = try await JSONBody.bytes(of: request, limit: self.options.maxAdminBodyBytes)
            return try JSONBody.response(try await Offload.run { try lab.autopilot.importCSV(data, source: "upload") }, status: .created)
        }
        api.get("/registry/export") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/csv; charset=us-ascii",
                                            .contentDisposition: "attachment; filename=\"autopilot-devices.csv\""],
                     body: .init(byteBuffer: ByteBuffer(bytes: try await Offload.run { try lab.autopilot.exportCSV() })))
        }
        api.patch("/registry/:serial") { request, context in
            let serial = try context.parameters.require("serial")
            let body = try await JSONBody.decode(RegistrationUpdateRequest.self, from: request, limit: self.options.maxBodyBytes)
            let update = AutopilotService.RegistrationUpdate(groupTag: body.groupTag, assignedUser: body.assignedUser,
                                                             displayName: body.displayName)
            let updated = try await Offload.run { try lab.autopilot.update(serial: serial, update) }
            guard !updated.isEmpty else { throw LabError.noRegistration(serial: serial) }
            return try JSONBody.response(updated)
        }
        api.delete("/registry/:serial") { _, context in
            let serial = try context.parameters.require("serial")
            guard try await Offload.run({ try lab.autopilot.deregister(serial: serial) }) else {
                throw LabError.noRegistration(serial: serial)
            }
            return Response(status: .noContent)
        }
        // Groups, profiles and assignments
        api.get("/groups") { _, _ in try JSONBody.response(lab.autopilot.configuration.groups) }
        api.post("/groups") { request, _ in
            let body = try await JSONBody.decode(GroupRequest.self, from: request, limit: self.options.maxBodyBytes)
            let membership = try body.membership()
            return try JSONBody.response(try await Offload.run { try lab.autopilot.addGroup(named: body.name, membership) },
                                         status: .created)
        }
        api.get("/profiles") { _, _ in try JSONBody.response(lab.autopilot.configuration.profiles) }
        // The Graph door's throttling and injected faults, in force until replaced or the next run
        api.get("/graph/settings") { _, _ in try JSONBody.response(lab.graphSettings.settings) }
        api.put("/graph/settings") { request, _ in
            let data = try await JSONBody.bytes(of: request, limit: self.options.maxBodyBytes)
            let settings: GraphSettings
            do throws(LabFileError) {
                settings = try GraphSettings.read(String(decoding: data, as: UTF8.self), file: "request body")
            } catch {
                throw LabError.badGraphSettings(error)
            }
            lab.replaceGraphSettings(settings)
            return try JSONBody.response(settings)
        }
        api.post("/profiles") { request, _ in
            let data = try await JSONBody.bytes(of: request, limit: self.options.maxBodyBytes)
            let profile: DeploymentProfile
            do throws(LabFileError) {
                profile = try LabFile.readProfile(String(decoding: data, as: UTF8.self), file: "request body", lab: lab.labFile.lab)
            } catch {
                throw LabError.badProfile(error)
            }
            return try JSONBody.response(try await Offload.run { try lab.autopilot.addProfile(profile) }, status: .created)
        }
        api.delete("/profiles/:id") { _, context in
            let id = try context.parameters.require("id")
            try await Offload.run { try lab.autopilot.deleteProfile(id: id) }
            return Response(status: .noContent)
        }
        api.get("/assignments") { _, _ in
            try JSONBody.response(try await Offload.run { try lab.autopilot.registrationSummaries() })
        }
        // What booted without being a lab device, and identities claimed twice
        api.get("/discovered") { _, _ in try JSONBody.response(try await Offload.run { try lab.store.seenDevices() }) }
        api.get("/conflicts") { _, _ in try JSONBody.response(try await Offload.run { try lab.store.conflicts() }) }
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

    func deviceAction() throws -> DeviceAction {
        switch action {
        case "reset": return .reset(remote: remote ?? true)
        case "wipe": return .wipe(keepEnrollment: keepEnrollment ?? false, keepUserData: keepUserData ?? false)
        case "repurpose": return .repurpose(.init(groupTag: groupTag, assignedUser: assignedUser), wipe: .full)
        case "retire": return .retire
        case "power-off": return .powerOff
        case "reboot": return .reboot
        case "provision": return .provision
        case "reseal": return .reseal
        default:
            throw APIError.badRequest("'\(action)' is not an action: use reset, wipe, repurpose, retire, power-off, "
                                      + "reboot, provision or reseal", field: "action")
        }
    }
}

/// `PATCH /api/v1/registry/{serial}`: what changes (an empty text clears a property).
struct RegistrationUpdateRequest: Codable {
    var groupTag: String?
    var assignedUser: String?
    var displayName: String?
}

/// `POST /api/v1/groups`.
struct GroupRequest: Codable {
    var name: String
    var rule: String?
    var members: [String]?

    func membership() throws -> AutopilotService.NewMembership {
        switch (rule, members) {
        case (let rule?, nil): .rule(rule)
        case (nil, let members?): .members(members)
        default: throw LabError.groupMembershipUnclear
        }
    }
}
