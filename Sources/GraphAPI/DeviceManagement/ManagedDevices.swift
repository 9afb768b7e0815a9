import Foundation
import Hummingbird
import Synchronization
import LabFiles
import LabService
import LabStore

/// `deviceManagement/managedDevices`: the devices enrolled in the lab's MDM, listed (filtered by
/// serial as get-windowsautopilotinfo does), read and deleted, and Intune's remote actions as the
/// lab's flows: `wipe` keeping enrollment data and user data is a remote Autopilot Reset, any
/// other `wipe` wipes and runs Autopilot again, `retire` unenrolls and deregisters, `rebootNow`
/// reboots, `syncDevice` asks the device to check in. Like Intune, an action is accepted (204) and
/// the device carries it out afterwards: where this controller hosts the devices (`pxelab run`)
/// the flow starts at once, otherwise the action is queued for the device's next check-in.
/// `deviceActionResults` says how each went.
extension GraphController {
    static let managedDevices = "deviceManagement/managedDevices"

    func managedDevices(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        let lab = lab
        switch request.method {
        case .get where path.match(Self.managedDevices) != nil:
            let devices = try await Offload.run { try lab.managedDevices() }
            return try collection(request, context: Self.managedDevices, type: "managedDevice", devices,
                                  property: Self.managedProperty) { object, device in
                self.write(device, version: path.version, into: &object)
            }
        case .get:
            guard let id = path.match(Self.managedDevices + "/{}")?.first else { return nil }
            guard let device = try await Offload.run({ try lab.managedDevice(id: id.lowercased()) }) else { throw Self.noManagedDevice(id) }
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context(Self.managedDevices + "/$entity"))
                write(device, version: path.version, into: &object)
            })
        case .delete:
            guard let id = path.match(Self.managedDevices + "/{}")?.first else { return nil }
            guard try await Offload.run({ try lab.removeManagedDevice(id: id.lowercased()) }) else { throw Self.noManagedDevice(id) }
            return GraphResponse.noContent
        case .post:
            guard let keys = path.match(Self.managedDevices + "/{}/{}") else { return nil }
            guard let device = try await Offload.run({ try lab.managedDevice(id: keys[0].lowercased()) }) else { throw Self.noManagedDevice(keys[0]) }
            let body = try request.parsedBody()
            let action: RemoteAction
            switch keys[1].lowercased() {
            case "wipe":
                let keepEnrollment = try body.bool("keepEnrollmentData") ?? false, keepUserData = try body.bool("keepUserData") ?? false
                action = keepEnrollment && keepUserData ? .autopilotReset : .wipe(keepEnrollment ? (.keepEnrollment) : keepUserData ? .keepUserData : .full)
            case "retire": action = .retire
            case "rebootnow": action = .reboot
            case "syncdevice": action = .sync
            default: throw GraphError.segment(keys[1])
            }
            try await start(action, on: device.device, managedID: device.id)
            return GraphResponse.noContent
        default:
            return nil
        }
    }

    static func noManagedDevice(_ id: String) -> GraphError {
        .notFound("The managedDevice with id '\(id)' was not found.")
    }

    /// Intune's remote actions, as the lab carries them out.
    enum RemoteAction: Sendable {
        case autopilotReset, wipe(WipeKind), retire, reboot, sync

        /// Graph's `actionName` in `deviceActionResults`.
        var name: String {
            switch self {
            case .autopilotReset: "autopilotReset"
            case .wipe: "factoryReset"
            case .retire: "retire"
            case .reboot: "rebootNow"
            case .sync: "syncDevice"
            }
        }

        /// What is queued for the device when nobody hosts it.
        var deviceAction: DeviceAction? {
            switch self {
            case .autopilotReset: .reset(remote: true)
            case .wipe(let kind): .repurpose(.init(), wipe: kind)
            case .retire: .retire
            case .reboot: .reboot
            case .sync: nil
            }
        }
    }

    /// Starts an action on a device: the flow on the hosted fleet, or queued.
    func start(_ action: RemoteAction, on device: String, managedID: String) async throws {
        let now = clock()
        guard let fleet, action.deviceAction != nil else {
            if let queued = action.deviceAction {
                let lab = lab
                try await Offload.run { try lab.queue(queued, for: device) }
            }
            actions.record(managedID, .init(name: action.name, state: action.deviceAction == nil ? "done" : "pending", started: now, updated: now))
            return
        }
        actions.record(managedID, .init(name: action.name, state: "pending", started: now, updated: now))
        let actions = actions, clock = clock
        Task {
            let state: String
            do {
                switch action {
                case .autopilotReset: _ = try await fleet.reset(device, remote: true)
                case .wipe(let kind): _ = try await fleet.repurpose(device, wipe: kind)
                case .retire: _ = try await fleet.retire(device)
                case .reboot: _ = try await fleet.power(device, .reboot)
                case .sync: break
                }
                state = "done"
            } catch {
                state = "failed"
            }
            actions.record(managedID, .init(name: action.name, state: state, started: now, updated: clock()))
        }
    }

    static func managedProperty(_ name: String, of device: ManagedDevice?) -> String? {
        switch name {
        case "id": device?.id ?? ""
        case "serialnumber": device?.registration.serialNumber ?? ""
        case "devicename": device?.deviceName ?? ""
        case "azureaddeviceid": device.map { Self.entraDeviceID(of: $0.registration.id) } ?? ""
        case "userprincipalname": device?.registration.assignedUser ?? ""
        case "operatingsystem": device.map { _ in "Windows" } ?? ""
        case "compliancestate": device?.compliance.state.rawValue ?? ""
        default: nil
        }
    }

    func write(_ device: ManagedDevice, version: ODataPath.Version, into object: inout ObjectWriter) {
        let registration = device.registration
        object.field("id", device.id)
        object.field("userId", "")
        object.field("deviceName", device.deviceName ?? "")
        object.field("managedDeviceOwnerType", "company")
        object.field("enrolledDateTime", GraphJSON.dateTime(device.enrollment.enrolledAt))
        object.field("lastSyncDateTime", GraphJSON.dateTime(device.lastSeenAt ?? device.enrollment.enrolledAt))
        object.field("operatingSystem", "Windows")
        object.field("complianceState", device.compliance.state.rawValue)
        object.field("jailBroken", "Unknown")
        object.field("managementAgent", "mdm")
        object.field("osVersion", "")
        object.field("azureADRegistered", true)
        object.field("deviceEnrollmentType", device.enrollment.mode == .selfDeploying ? "azureDomainJoined" : "windowsAzureADJoin")
        object.field("emailAddress", registration.assignedUser ?? "")
        object.field("azureADDeviceId", Self.entraDeviceID(of: registration.id))
        object.field("deviceRegistrationState", "registered")
        object.field("isSupervised", false)
        object.field("isEncrypted", false)
        object.field("userPrincipalName", registration.assignedUser ?? "")
        object.field("model", registration.model ?? "")
        object.field("manufacturer", registration.manufacturer ?? "")
        object.field("serialNumber", registration.serialNumber)
        object.field("userDisplayName", registration.addressableUserName ?? "")
        object.field("managementCertificateExpirationDate", "2027-12-31T00:00:00Z")
        if version == .beta {
            object.field("autopilotEnrolled", true)
            object.field("enrollmentProfileName", "")
        }
        let results = actions.results(of: device.id)
        object.objects("deviceActionResults", results) { result, action in
            result.field("actionName", action.name)
            result.field("actionState", action.state)
            result.field("startDateTime", GraphJSON.dateTime(action.started))
            result.field("lastUpdatedDateTime", GraphJSON.dateTime(action.updated))
        }
    }
}

/// The remote actions sent to managed devices and how each went (Graph's `deviceActionResults`),
/// the latest of each kind per device, for as long as the endpoint runs.
final class RemoteActionLog: Sendable {
    struct Result: Sendable {
        let name: String
        /// `pending`, `done` or `failed`.
        let state: String
        let started: Date
        let updated: Date
    }

    private let results = Mutex<[String: [Result]]>([:])

    func record(_ device: String, _ result: Result) {
        results.withLock { $0[device, default: []] = $0[device, default: []].filter { $0.name != result.name } + [result] }
    }

    func results(of device: String) -> [Result] { results.withLock { $0[device] ?? [] } }
}
