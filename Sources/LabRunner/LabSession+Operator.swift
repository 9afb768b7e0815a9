public import BootEndpoint
import DeviceProtocol
import Foundation

/// The session runs the admin API's flows on its devices and shows their screens.
extension LabSession: LabOperator {
    public func perform(flow: String, device: String, options: [String: String]) async throws -> [UInt8] {
        let result: FlowResult
        switch flow {
        case "reset": result = try await reset(device, remote: options["remote"] != "false")
        case "repurpose":
            result = try await repurpose(device, wipe: options["wipe"] ?? "full", groupTag: options["groupTag"],
                                         assignedUser: options["assignedUser"])
        case "recover": result = try await recover(device, method: options["method"] ?? "autopilot-reset")
        case "retire": result = try await retire(device)
        case "power": result = try await power(device, action: options["action"] ?? "on")
        case "deploy":
            try await deploy([device])
            result = try await power(device, action: "on")
        case "break":
            try await breakDevice(device, how: options["how"] ?? "corrupt-os")
            return Array(try ProtocolJSON.encoder().encode(["device": device, "broken": options["how"] ?? "corrupt-os"]))
        case "snapshot", "revert":
            let label = options["name"] ?? "snapshot"
            if flow == "snapshot" { try await snapshot(device, as: label) } else { try await revert(device, to: label) }
            return Array(try ProtocolJSON.encoder().encode(["device": device, flow: label]))
        default:
            throw RunError("'\(flow)' is not a flow: reset, repurpose, recover, retire, power, deploy, break, snapshot, revert")
        }
        return Array(try ProtocolJSON.encoder().encode(result))
    }
}
