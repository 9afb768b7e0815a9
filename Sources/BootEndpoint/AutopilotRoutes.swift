import Foundation
import Hummingbird
import LabStore
import Autopilot
import DeviceProtocol

extension BootEndpoint {
    /// `GET /autopilot/v1/profile?serial=&uuid=&hash=`: what the Autopilot service answers a device.
    func addAutopilotRoutes(to router: Router<EndpointRequestContext>) {
        router.get("/autopilot/v1/profile") { request, _ in
            try await Offload.run { try self.profileResponse(for: request) }
        }
    }

    func profileResponse(for request: Request) throws -> Response {
            let query = request.uri.queryParameters
            guard let serial = query["serial"].map(String.init), !serial.isEmpty else {
                throw APIError.badRequest("the serial query parameter is required", field: "serial")
            }
            if let hashText = query["hash"].map(String.init), !hashText.isEmpty {
                let hash: HardwareHash
                do { hash = try HardwareHash(base64: hashText) } catch {
                    throw APIError.badRequest("the hardware hash is not valid: \(error)", field: "hash")
                }
                if let hashed = hash.serial, hashed != serial {
                    throw APIError.badRequest("the hash carries serial '\(hashed)', not '\(serial)'", field: "hash")
                }
                for device in self.matcher.devices(serial: serial) { self.lab.store.recordHash(hashText, of: device.name) }
            }
            let response = try self.discovery(serial: serial)
            var headers: HTTPFields = [:]
            if let retry = response.retryAfterSeconds { headers[.retryAfter] = String(Int(retry.rounded(.up))) }
            return try JSONBody.response(response, headers: headers)
    }

    func discovery(serial: String) throws -> ProfileDiscoveryResponse {
        let service = lab.autopilot
        let discovery = try service.discoverProfile(serial: serial)
        switch discovery {
        case .assigned(let profile, let registration):
            return ProfileDiscoveryResponse(outcome: .assigned, message: "profile '\(profile.displayName)' is assigned",
                                            profile: AutopilotProfileDocument(profile: profile, tenant: service.tenant,
                                                                              registration: registration))
        case .assigning(let retry):
            return ProfileDiscoveryResponse(outcome: .assigning, retryAfterSeconds: retry,
                                            message: "a profile is being assigned to this device; try again later")
        case .noProfile:
            return ProfileDiscoveryResponse(outcome: .noProfile, eventId: discovery.eventID,
                                            message: "the device is registered but no deployment profile is assigned to it")
        case .notRegistered:
            return ProfileDiscoveryResponse(outcome: .notRegistered, eventId: discovery.eventID,
                                            message: "the device is not registered with Windows Autopilot")
        case .otherTenant:
            return ProfileDiscoveryResponse(outcome: .otherTenant,
                                            message: "That username looks like it belongs to another organization. "
                                                + "The device is registered to another tenant.")
        }
    }
}
