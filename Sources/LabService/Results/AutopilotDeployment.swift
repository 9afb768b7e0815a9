public import Foundation
public import Autopilot
public import DeviceProtocol
import LabStore
import DeviceIdentity

/// One deployment of one device as Intune's Autopilot deployment report shows it (Graph's
/// `autopilotEvent`): from the device's first out-of-box step after its last deployment to its
/// desktop (success), its failure, or now (in progress). Built from the lab's stored events.
public struct AutopilotDeployment: Sendable, Equatable {
    /// How a deployment or one of its ESP stages went, in Graph's words.
    public enum State: String, Sendable {
        case success, failure, inProgress, notAttempted
    }

    public var id: String
    public var device: String
    public var serialNumber: String
    public var registeredAt: Date?
    /// The MDM device id, once enrolled.
    public var managedDeviceID: String?
    public var started: Date
    /// When the deployment ended; nil while in progress.
    public var ended: Date?
    public var enrollmentStarted: Date?
    /// The last event's time.
    public var lastEvent: Date
    public var state: State
    public var deviceSetup: State
    public var accountSetup: State
    /// Seconds in the ESP's device preparation and setup, and in its account setup.
    public var deviceSetupSeconds: Double
    public var accountSetupSeconds: Double
    public var scenario: AutopilotScenario?
    public var profileName: String?
    public var errorCode: ErrorCode?
    public var failureMessage: String?
    /// The name the device got.
    public var deviceName: String?
    public var userPrincipalName: String?

    public var seconds: Double { (ended ?? lastEvent).timeIntervalSince(started) }
}

extension Lab {
    /// Every deployment of every lab device, oldest first within a device, devices in lab-file order.
    public func autopilotDeployments() throws -> [AutopilotDeployment] {
        let enrollments = Dictionary(try store.enrollments().map { ($0.registration, $0) }, uniquingKeysWith: { first, _ in first })
        let resolver = AssignmentResolver(configuration: autopilot.configuration)
        var deployments: [AutopilotDeployment] = []
        for device in labFile.devices {
            let events = try store.events(of: device.name)
            guard !events.isEmpty else { continue }
            let registration = try autopilot.registration(serial: device.identity.serial)
            let profile = registration.flatMap(resolver.profile(for:))
            for run in Self.deploymentRuns(events) {
                deployments.append(Self.deployment(run, device: device.name, serial: device.identity.serial, registration: registration,
                                                   enrollment: registration.flatMap { enrollments[$0.id] }, profile: profile))
            }
        }
        return deployments
    }

    /// The phases that make a boot a deployment (a desktop boot has none of them).
    static let deploymentPhases: Set<OOBEPhase> = [.network, .profile, .oobePages, .technician, .identity, .enrollment,
                                                    .espDevicePreparation, .espDeviceSetup, .espAccountSetup]

    /// A device's events cut into deployments: each starts at the first out-of-box step after the
    /// previous one ended, and ends at the desktop reached or a failure.
    static func deploymentRuns(_ events: [StoredEvent]) -> [ArraySlice<StoredEvent>] {
        var runs: [ArraySlice<StoredEvent>] = []
        var start: Int?
        for index in events.indices {
            let event = events[index]
            if start == nil, deploymentPhases.contains(event.phase) { start = index }
            guard let first = start else { continue }
            let ready = event.phase == .desktop && event.step == ProtocolStep.ready && event.status == .completed
            let failed = event.step == ProtocolStep.outcome && event.status == .failed
            if ready || failed {
                runs.append(events[first...index])
                start = nil
            }
        }
        if let first = start { runs.append(events[first...]) }
        return runs
    }

    static func deployment(_ run: ArraySlice<StoredEvent>, device: String, serial: String, registration: RegisteredDevice?,
                           enrollment: EnrollmentRecord?, profile: DeploymentProfile?) -> AutopilotDeployment {
        let first = run.first!, last = run.last!
        let ready = last.phase == .desktop && last.step == ProtocolStep.ready && last.status == .completed
        let failure = run.lastFailure
        func stage(_ phases: Set<OOBEPhase>) -> (AutopilotDeployment.State, Double) {
            let mine = run.filter { phases.contains($0.phase) }
            guard let start = mine.first, let end = mine.last else { return (.notAttempted, 0) }
            let seconds = end.time.timeIntervalSince(start.time)
            if mine.contains(where: { $0.status == .failed }) { return (.failure, seconds) }
            if mine.allSatisfy({ $0.status == .skipped }) { return (.notAttempted, 0) }
            return (ready || end.status == .completed && last.phase != end.phase ? .success : .inProgress, seconds)
        }
        let (deviceSetup, deviceSeconds) = stage([.espDevicePreparation, .espDeviceSetup])
        let (accountSetup, accountSeconds) = stage([.espAccountSetup])
        let id = IdentifierAllocator.stableUUID("autopilot-deployment", device, String(first.seq)).uuidString.lowercased()
        return AutopilotDeployment(
            id: id, device: device, serialNumber: serial, registeredAt: registration?.registeredAt,
            managedDeviceID: enrollment?.mdmDeviceId, started: first.time, ended: ready || failure != nil ? last.time : nil,
            enrollmentStarted: run.first { $0.phase == .enrollment }?.time, lastEvent: last.time,
            state: ready ? .success : failure != nil ? .failure : .inProgress,
            deviceSetup: deviceSetup, accountSetup: accountSetup, deviceSetupSeconds: deviceSeconds, accountSetupSeconds: accountSeconds,
            scenario: profile?.scenario, profileName: profile?.displayName,
            errorCode: failure?.errorCode.map(ErrorCode.init), failureMessage: failure?.message,
            deviceName: ready ? last.deviceName : nil, userPrincipalName: registration?.assignedUser)
    }
}
