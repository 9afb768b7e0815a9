import Foundation
import Hummingbird
import DeviceProtocol
import LabService
import LabFiles

/// `POST /api/v1/devices/{name}/flows/{flow}` with its options (`{"wipe": "keep-user-data"}`):
/// which of the fleet's operations to run, parsed. Answers when the device has reached its new
/// end state, with what happened.
enum AdminFlowRequest {
    case deploy
    case reset(remote: Bool)
    case repurpose(WipeKind, AutopilotService.RegistrationUpdate)
    case recover(RecoveryMethod)
    case retire
    case power(PowerAction)
    case breakDevice(BreakKind)
    case snapshot(String)
    case revert(String)

    static let names = "reset, repurpose, recover, retire, power, deploy, break, snapshot, revert"

    init(name: String, options: [String: String]) throws {
        func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ fallback: Choice) throws -> Choice
        where Choice.RawValue == String {
            guard let text = options[key] else { return fallback }
            guard let value = Choice(rawValue: text) else {
                throw APIError(.unprocessableContent, "bad-flow", "'\(text)' is not one of: "
                               + Choice.allCases.map(\.rawValue).joined(separator: ", "), field: key)
            }
            return value
        }
        switch name {
        case "deploy": self = .deploy
        case "reset":
            switch options["remote"] {
            case nil, "true": self = .reset(remote: true)
            case "false": self = .reset(remote: false)
            case let other?:
                throw APIError(.unprocessableContent, "bad-flow", "'\(other)' is not one of: true, false", field: "remote")
            }
        case "repurpose":
            self = .repurpose(try choice("wipe", WipeKind.full),
                              .init(groupTag: options["groupTag"], assignedUser: options["assignedUser"]))
        case "recover":
            let text = options["method"] ?? RecoveryMethod.autopilotReset.text
            guard let method = RecoveryMethod(text: text) else {
                throw APIError(.unprocessableContent, "bad-flow", "'\(text)' is not a recovery: \(RecoveryMethod.forms)", field: "method")
            }
            self = .recover(method)
        case "retire": self = .retire
        case "power": self = .power(try choice("action", PowerAction.on))
        case "break": self = .breakDevice(try choice("how", BreakKind.corruptOS))
        case "snapshot": self = .snapshot(options["name"] ?? "snapshot")
        case "revert": self = .revert(options["name"] ?? "snapshot")
        default:
            throw APIError(.unprocessableContent, "bad-flow", "'\(name)' is not a flow: \(Self.names)", field: "flow")
        }
    }

    /// Runs the flow and renders what happened: the flow's result, or what was done.
    func perform(on device: String, in fleet: Fleet) async throws -> Response {
        switch self {
        case .deploy: return try JSONBody.response(try await fleet.deploy(device))
        case .reset(let remote): return try JSONBody.response(try await fleet.reset(device, remote: remote))
        case .repurpose(let wipe, let update): return try JSONBody.response(try await fleet.repurpose(device, wipe: wipe, update: update))
        case .recover(let method): return try JSONBody.response(try await fleet.recover(device, method: method))
        case .retire: return try JSONBody.response(try await fleet.retire(device))
        case .power(let action): return try JSONBody.response(try await fleet.power(device, action))
        case .breakDevice(let how):
            try await fleet.breakDevice(device, how: how)
            return try JSONBody.response(["device": device, "broken": how.rawValue])
        case .snapshot(let name):
            try await fleet.snapshot(device, as: name)
            return try JSONBody.response(["device": device, "snapshot": name])
        case .revert(let name):
            try await fleet.revert(device, to: name)
            return try JSONBody.response(["device": device, "revert": name])
        }
    }
}
