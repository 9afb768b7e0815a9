import Foundation
import Hummingbird
import DeviceProtocol
import LabService
import LabStore

extension BootEndpoint {
    /// Routes a device calls with the token its boot script gave it.
    func addDeviceRoutes(to router: Router<EndpointRequestContext>) {
        // Progress reports: idempotent by (device, seq); gaps and unknown devices refused.
        router.post("/oobe/v1/events") { request, _ in
            // Read by hand as devices write it; anything else (and every error) through JSONDecoder.
            let body = try await JSONBody.bytes(of: request, limit: self.options.maxBodyBytes)
            let batch = try EventJSON.decodeBatch(body) ?? JSONBody.decode(EventBatch.self, from: body)
            guard !batch.events.isEmpty else { throw APIError.badRequest("the batch has no events", field: "events") }
            return try await Offload.run {
                try self.authenticate(device: batch.device, request)
                do {
                    let receipt = try self.lab.store.appendEvents(batch.events, of: batch.device, at: self.clock())
                    self.metrics.events(receipt.stored)
                    return try JSONBody.response(receipt)
                } catch let rejection as EventRejection {
                    throw Self.apiError(rejection, device: batch.device, lastSeq: try self.lab.store.device(named: batch.device)?.lastSeq)
                }
            }
        }
        // What the controller wants the device to do next.
        router.post("/oobe/v1/actions/next") { request, _ in
            let asked = try await JSONBody.decode(NextActionRequest.self, from: request, limit: self.options.maxBodyBytes)
            if let device = request.uri.queryParameters["device"], String(device) != asked.device {
                throw APIError.badRequest("the device query parameter and the body's device differ", field: "device")
            }
            let queued = try await Offload.run {
                try self.authenticate(device: asked.device, request)
                return try self.lab.store.dequeueAction(for: asked.device)
            }
            if let queued { return try JSONBody.response(queued) }
            return try JSONBody.response(try await self.attendant.nextAction(for: asked.device, at: asked))
        }
        // The faults injected into this device (it fetches them at every boot).
        router.get("/oobe/v1/faults") { request, _ in
            guard let name = request.uri.queryParameters["device"].map(String.init) else {
                throw APIError.badRequest("the device query parameter is required", field: "device")
            }
            return try await Offload.run {
                try self.authenticate(device: name, request)
                return try JSONBody.response(try self.lab.faults(of: name))
            }
        }
        // MDM enrollment.
        router.post("/mdm/v1/enroll") { request, _ in
            let asked = try await JSONBody.decode(EnrollmentRequest.self, from: request, limit: self.options.maxBodyBytes)
            return try await Offload.run {
                try self.authenticate(device: asked.device, request)
                guard let device = try self.lab.store.device(named: asked.device) else { throw APIError.notFound("no device") }
                do {
                    return try JSONBody.response(try self.lab.autopilot.enroll(serial: device.serial, mode: asked.mode,
                                                                               health: asked.health))
                } catch let refusal as AutopilotService.EnrollmentRefusal {
                    throw APIError(.conflict, "enrollment-refused", refusal.description, field: "device",
                                   details: [ErrorDocument.DetailKey.errorCode: ErrorCode.text(refusal.errorCode)])
                }
            }
        }
        // MDM: the ESP settings and tracked items for an enrolled device.
        router.get("/mdm/v1/enrollment") { request, _ in
            guard let name = request.uri.queryParameters["device"].map(String.init) else {
                throw APIError.badRequest("the device query parameter is required", field: "device")
            }
            return try await Offload.run {
                try self.authenticate(device: name, request)
                guard let device = try self.lab.store.device(named: name),
                      let policy = try self.lab.autopilot.enrollmentPolicy(serial: device.serial) else {
                    throw APIError(.conflict, "not-enrolled",
                                   "device '\(name)' is not registered with Autopilot, so MDM has no policy for it")
                }
                return try JSONBody.response(policy)
            }
        }
    }

    /// Checks that the request carries this device's own token.
    func authenticate(device name: String, _ request: Request) throws {
        guard let token = Tokens.bearer(of: request) else { throw APIError.missingToken }
        guard let expected = deviceTokens[name] else {
            throw APIError.notFound("no lab device named '\(name)'")
        }
        guard Secret.equal(token, expected) else {
            throw APIError(.forbidden, "not-this-device", "the token is not device '\(name)''s: a device may only act for itself")
        }
    }

    static func apiError(_ rejection: EventRejection, device: String, lastSeq: Int?) -> APIError {
        switch rejection {
        case .unknownDevice: return APIError.notFound(rejection.description)
        case .outOfOrder(let expected, _):
            return APIError(.conflict, "out-of-order", rejection.description, field: "events",
                            details: ["expectedSeq": String(expected), ErrorDocument.DetailKey.lastSeq: String(lastSeq ?? expected - 1)])
        case .conflicting(let seq):
            return APIError(.conflict, "conflicting-event", rejection.description, field: "events",
                            details: ["seq": String(seq), ErrorDocument.DetailKey.lastSeq: String(lastSeq ?? 0)])
        }
    }
}
