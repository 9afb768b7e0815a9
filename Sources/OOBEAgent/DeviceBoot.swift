import Foundation
import Autopilot
import DeviceProtocol

/// One boot of a device, from the firmware to the end of the flow.
final class DeviceBoot {
    let agent: OOBEAgent
    let client: EndpointClient
    var state: DeviceState
    var device = ""
    var faults: [Fault] = []
    var pending: [DeviceEvent] = []
    /// The Autopilot event the profile download ended with (807, 815), if it did.
    var autopilotEvent: Int?
    /// The disk could not be written while the device waited: the boot stops at its next flush.
    var storageFailure: StorageError?
    var profile: AutopilotProfileDocument?
    /// Realistic seconds the ESP has run in its current phase, against its timeout.
    var espSeconds = 0.0
    /// The Autopilot mode this boot deploys in, as MDM is told at enrollment.
    var flowMode = DeploymentMode.userDriven
    /// The state as last written to storage.
    private var saved: DeviceState?

    /// A device whose disk holds `state` (a factory-fresh one when the disk is empty).
    init(agent: OOBEAgent, state: DeviceState?) {
        self.agent = agent
        self.client = EndpointClient(base: agent.endpoint, client: agent.httpClient, limiter: agent.requestLimiter)
        self.state = state ?? DeviceState()
        self.saved = state
    }

    func run() async -> OOBEAgent.Outcome {
        state.bootCount += 1
        var outcome = await attempt { try await self.flow() }
        // A machine that stays on carries on where it is: at its desktop it keeps asking for
        // work, on its error it waits for the controller (it does not try again by itself).
        while let poll = agent.idlePoll, !device.isEmpty {
            switch outcome {
            case .desktop, .businessReady:
                outcome = await attempt {
                    try await Task.sleep(for: .seconds(poll))
                    if let chords = self.agent.keyboard?(), chords.contains(.autopilotReset) {
                        self.report(.desktop, "keys", .info, message: "\(KeyChord.autopilotReset) at the lock screen")
                        return try await self.reset(remote: false)
                    }
                    return try await self.desktopAction(try await self.ask(.desktop, ProtocolStep.idle))
                }
            case .failed:
                // Asking fails only when the endpoint stays away; the error stays on the screen.
                guard (try? await Task.sleep(for: .seconds(poll))) != nil else { return outcome }
                guard let asked = try? await ask(.boot, ProtocolStep.errorScreen) else { continue }
                outcome = await attempt { try await self.failureAction(asked) ?? outcome }
            default:
                return outcome
            }
        }
        return outcome
    }

    /// Runs part of a boot to its outcome, then writes what it reported and its state; a failure
    /// (of a step, of the disk, of the endpoint) is the device's error.
    private func attempt(_ body: () async throws -> OOBEAgent.Outcome) async -> OOBEAgent.Outcome {
        do {
            let outcome = try await body()
            try await flush()
            try save(durably: true)
            return outcome
        } catch let failure as Failure {
            return await fail(failure)
        } catch let error as StorageError {
            // The disk cannot be written: Windows stops here too.
            return await fail(Failure(phase: .boot, step: "disk", errorCode: nil, message: "\(error)"))
        } catch {
            return await fail(Failure(phase: .network, step: "endpoint", errorCode: nil, message: "\(error)"))
        }
    }

    /// What a failed device does with the controller's answer on its error: a reset, a wipe, a
    /// reboot or a power-off; nil when there is nothing to do.
    private func failureAction(_ action: NextAction) async throws -> OOBEAgent.Outcome? {
        switch action {
        case .reset(let remote): try await reset(remote: remote)
        case .wipe(let keepEnrollment, let keepUserData): try await wipe(keepEnrollment: keepEnrollment, keepUserData: keepUserData)
        case .powerOff: .poweredOff
        case .reboot: .reboot
        default: nil
        }
    }

    /// Boot script, faults, then the flow the script's mode and the profile call for.
    private func flow() async throws -> OOBEAgent.Outcome {
        let identity = agent.identity
        let script: BootScript
        if let given = agent.bootScript {
            script = given
        } else {
            _ = try await client.text(DevicePaths.bootstrap)
            var fields = [("serial", identity.serial), ("uuid", identity.uuid), ("manufacturer", identity.manufacturer),
                          ("product", identity.product), ("asset", identity.asset), ("mac", identity.mac),
                          ("buildarch", "x86_64"), ("platform", agent.platform.uefi ? "efi" : "pcbios")]
            // A Secure Boot device's network boot goes through shim and GRUB, which say so.
            if agent.platform.secureBoot { fields.append(("loader", "grub")) }
            let query = fields.map { "\($0.0)=\(Self.uriString($0.1))" }.joined(separator: "&")
            guard let fetched = BootScript(script: try await client.text("\(DevicePaths.deviceScript)?\(query)")) else {
                return .notInLab
            }
            script = fetched
        }
        device = script.device
        client.authenticate(with: script.token)
        faults = try await client.json(.GET, "\(DevicePaths.faults)?device=\(Self.uriString(device))", as: [Fault].self)
            .filter { !$0.once || !state.firedFaults.contains($0.id) }
        // A boot source override (set through the lab's Redfish service) is named as the firmware took it.
        let source = script.override.map { "network boot (boot source override \($0.replacingOccurrences(of: "-", with: ", ")))" } ?? "network boot"
        await step(.boot, ProtocolStep.firmware, seconds: Timing.Realistic.firmware,
                   message: "\(source), \(agent.platform.text), SMBIOS serial \(identity.serial), UUID \(identity.uuid), "
                       + "\(identity.manufacturer) \(identity.product)")

        if script.mode == BootMode.desktop.rawValue { return try await desktop() }
        // A broken system does not get as far as OOBE either.
        if let damage = state.damage, !damage.systemStarts { return try await desktop() }
        if let previous = state.failure {
            // The device shows its error; someone may reset or wipe it from there.
            if let outcome = try await failureAction(try await ask(.boot, ProtocolStep.failure)) { return outcome }
            report(.boot, "retry", .info, message: "retrying after \(previous.errorCode.map(ErrorCode.text) ?? previous.message)")
            state.failure = nil
        }
        try await network()
        let profile = try await downloadProfile()
        guard let profile else { return try await standardOOBE() }
        self.profile = profile
        try await pages(profile)
        return try await deploy(profile)
    }

    // MARK: Common start

    private func network() async throws {
        if let drop = strike(.network, "dhcp", kinds: [.networkDrop]) {
            let seconds = (drop.seconds ?? 30) * max(agent.timing.scale, 0.001)
            report(.network, "dhcp", .failed, message: "network down for \(drop.seconds ?? 30) s")
            client.dropNetwork(until: Date().addingTimeInterval(seconds))
        }
        await step(.network, "dhcp", seconds: Timing.Realistic.network)
        if client.networkIsDown { try await flush() }  // goes through once the network is back
    }

    /// The profile, from the cache once enrolled (later edits reach the device only after a
    /// reset), else from the service, waiting while it is being assigned. Nil when the device is
    /// not an Autopilot device (807, 815).
    private func downloadProfile() async throws -> AutopilotProfileDocument? {
        if let cached = state.cachedProfile, state.enrollment != nil {
            report(.profile, "download", .skipped, message: "using the cached profile '\(cached.deploymentProfileName)'")
            return cached
        }
        state.hashCollection += 1
        let hash = agent.hardwareHash(state.hashCollection - 1)
        let path = "\(DevicePaths.profile)?serial=\(Self.uriString(agent.identity.serial))"
            + "&uuid=\(Self.uriString(agent.identity.uuid))&hash=\(Self.uriString(hash))"
        for attempt in 1... {
            report(.profile, "download", .started)
            try save()
            let answer = try await client.json(.GET, path, as: ProfileDiscoveryResponse.self)
            switch answer.outcome {
            case .assigned:
                guard let profile = answer.profile else { throw AgentError.badScript("an assigned outcome without a profile") }
                state.cachedProfile = profile
                await step(.profile, "download", seconds: Timing.Realistic.profile,
                           message: "profile '\(profile.deploymentProfileName)' (\(profile.mode.rawValue))")
                return profile
            case .assigning:
                let wait = answer.retryAfterSeconds ?? 30
                report(.profile, "download", .progress, message: "profile assignment in progress (attempt \(attempt)); retrying in \(Int(wait)) s")
                try await flush()
                // The service's delay is real time; the device waits for it whatever the lab's timing.
                try await Task.sleep(for: .seconds(wait))
            case .noProfile, .notRegistered:
                autopilotEvent = answer.eventId
                report(.profile, "download", .completed, autopilotEvent: answer.eventId,
                       message: "event \(answer.eventId ?? 0): \(answer.message)")
                return nil
            case .otherTenant:
                throw Failure(phase: .oobePages, step: ProtocolStep.signIn, errorCode: nil, message: answer.message)
            }
        }
        return nil
    }

    /// Without Autopilot the device runs the standard OOBE: it ends there, reported as such.
    private func standardOOBE() async throws -> OOBEAgent.Outcome {
        throw Failure(phase: .profile, step: ProtocolStep.outcome, errorCode: nil,
                      message: "event \(autopilotEvent.map(String.init) ?? "?"): no Autopilot profile; the device shows the standard (consumer) OOBE",
                      autopilotEvent: autopilotEvent)
    }

    // MARK: Pages

    /// The OOBE pages the profile does not hide: each asks the controller for the user's input.
    private func pages(_ profile: AutopilotProfileDocument) async throws {
        let config = profile.oobeConfig
        let skipRegional = config.contains(.skipKeyboard)
        let pages: [(String, Bool)] = [
            ("language", skipRegional), ("region", skipRegional), ("keyboard", skipRegional),
            ("eula", config.contains(.skipEULA)), ("privacy", config.contains(.skipExpressSettings)),
            // Autopilot devices never ask "personal or work or school".
            ("account-type", true),
        ]
        var regional = state.regional ?? DeviceState.Regional(language: profile.cloudAssignedLanguage ?? "en-US",
                                                               region: "US", keyboard: "us")
        if skipRegional, let language = profile.cloudAssignedLanguage, language != "os-default", language != "user-select" {
            regional.language = language
        }
        for (page, hidden) in pages where !state.pagesDone.contains(page) {
            if hidden {
                report(.oobePages, ProtocolStep.page(page), .skipped, message: "hidden by the profile")
            } else {
                let values = try await input(.oobePages, ProtocolStep.page(page))
                switch page {
                case "language": regional.language = values["language"] ?? regional.language
                case "region": regional.region = values["region"] ?? regional.region
                case "keyboard": regional.keyboard = values["keyboard"] ?? regional.keyboard
                default: break
                }
                await step(.oobePages, ProtocolStep.page(page), seconds: Timing.Realistic.page,
                           message: values.isEmpty ? nil : values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
            state.pagesDone.append(page)
        }
        state.regional = regional
    }

    // MARK: Asking the controller

    /// The controller's answer at a step: waits (and asks again) while it says to wait.
    func ask(_ phase: OOBEPhase, _ step: String) async throws -> NextAction {
        try await flush()
        while true {
            let action = try await client.json(.POST, "\(DevicePaths.nextAction)?device=\(Self.uriString(device))",
                                               body: NextActionRequest(device: device, phase: phase, step: step),
                                               as: NextAction.self)
            guard case .wait(let seconds) = action else { return action }
            try await Task.sleep(for: .seconds(max(0.01, seconds)))
        }
    }

    /// The user's input for a page (empty when the controller just says to carry on).
    func input(_ phase: OOBEPhase, _ step: String) async throws -> [String: String] {
        if case .input(_, let values) = try await ask(phase, step) { return values }
        return [:]
    }

    // MARK: Reporting

    func report(_ phase: OOBEPhase, _ step: String, _ status: StepStatus, errorCode: UInt32? = nil,
                autopilotEvent: Int? = nil, deviceName: String? = nil, kept: [DeviceAspect]? = nil,
                removed: [DeviceAspect]? = nil, message: String? = nil) {
        state.eventSeq += 1
        report(DeviceEvent(seq: state.eventSeq, time: Date(), phase: phase, step: step, status: status, errorCode: errorCode,
                           message: message, autopilotEvent: autopilotEvent, deviceName: deviceName, kept: kept,
                           removed: removed))
    }

    private func report(_ event: DeviceEvent) {
        pending.append(event)
        agent.console?(event)
    }

    /// A step that takes time: started, the wait, completed.
    func step(_ phase: OOBEPhase, _ step: String, seconds: Double, message: String? = nil) async {
        report(phase, step, .started)
        await pause(seconds)
        report(phase, step, .completed, message: message)
    }

    /// Waits `seconds` realistic seconds. Before a wait that takes time the device sends what it
    /// has to report, so the endpoint shows its progress while it waits; with instant timing the
    /// events go out together at the next question, network check or end of the boot instead.
    /// Events that cannot be posted here are posted there (they stay pending); a disk that cannot
    /// be written stops the boot at the next flush, which says why.
    func pause(_ seconds: Double) async {
        if agent.timing.takesTime(seconds) {
            do {
                try await flush()
            } catch let error as StorageError {
                storageFailure = error
            } catch {
                // The endpoint is away: the events stay pending.
            }
        }
        await agent.timing.pause(seconds)
    }

    /// Saves the state, then posts the buffered events (before the device asks the controller
    /// anything, before it waits, and at the end of a boot); a 409 (events the endpoint already
    /// has, after a wipe of this device's memory) resynchronises the sequence from the endpoint's
    /// answer.
    func flush() async throws {
        if let storageFailure { throw storageFailure }
        try save()
        guard !pending.isEmpty else { return }
        let body = EventJSON.encode(EventBatch(device: device, events: pending))
        let reply = try await client.send(.POST, DevicePaths.events, body: body)
        switch reply.status {
        case 200:
            pending.removeAll()
        case 409:
            let error = try? ProtocolJSON.decoder().decode(ErrorDocument.self, from: reply.body)
            guard let last = error?.error.details?[ErrorDocument.DetailKey.lastSeq].flatMap(Int.init) else {
                throw AgentError.refused(DevicePaths.events, reply.status, String(decoding: reply.body, as: UTF8.self))
            }
            let events = pending
            pending = []
            state.eventSeq = last
            for var event in events {
                state.eventSeq += 1
                event.seq = state.eventSeq
                report(event)
            }
            try await flush()
        default:
            throw AgentError.refused(DevicePaths.events, reply.status, String(decoding: reply.body, as: UTF8.self))
        }
    }

    /// Writes the state to the device's storage when something other than the event counter
    /// changed (the counter is recovered from the endpoint if a crash loses it), or always when
    /// `durably` (the end of a boot). The device saves before it talks to the endpoint (events,
    /// questions, enrollment, the profile and the ESP policy) and before it waits, and at the end
    /// of each boot: whatever the endpoint has learned from it, and wherever it is killed while it
    /// waits, its disk agrees; changes in between are written together.
    func save(durably: Bool = false) throws {
        // Nothing reaches the disk of a device whose power was cut.
        try Task.checkCancellation()
        var comparable = state
        comparable.eventSeq = saved?.eventSeq ?? state.eventSeq
        guard durably || comparable != saved else { return }
        try agent.storage.save(state)
        saved = state
    }

    // MARK: Faults

    /// The first fault of the given kinds that strikes at a phase and step (marking one-time ones).
    func strike(_ phase: OOBEPhase, _ step: String, kinds: Set<Fault.Kind>) -> Fault? {
        guard let fault = faults.first(where: { kinds.contains($0.kind) && $0.strikes(phase, step) }) else { return nil }
        if fault.once {
            state.firedFaults.append(fault.id)
            faults.removeAll { $0.id == fault.id }
        }
        report(phase, "fault:\(fault.kind.rawValue)", .info, message: "injected fault \(fault.id) at \(phase.rawValue)/\(step)")
        return fault
    }

    /// Throws the failure an `error` fault injects here, if any.
    func checkErrorFault(_ phase: OOBEPhase, _ step: String, defaultCode: UInt32, message: String) throws {
        if let fault = strike(phase, step, kinds: [.error]) {
            throw Failure(phase: phase, step: step, errorCode: fault.errorCode ?? defaultCode, message: message)
        }
    }

    /// Reboots here when a reboot fault says so.
    func checkRebootFault(_ phase: OOBEPhase, _ step: String) -> Bool {
        strike(phase, step, kinds: [.reboot]) != nil
    }

    // MARK: Failing

    private func fail(_ failure: Failure) async -> OOBEAgent.Outcome {
        // The power was cut (a virtual device's boot is cancelled): the device stops where it is,
        // reporting and saving nothing more, as a machine whose plug is pulled.
        if Task.isCancelled { return .poweredOff }
        if failure.step != ProtocolStep.outcome {
            report(failure.phase, failure.step, .failed, errorCode: failure.errorCode, message: failure.message)
        }
        report(failure.phase, ProtocolStep.outcome, .failed, errorCode: failure.errorCode, autopilotEvent: failure.autopilotEvent,
               message: failure.message)
        state.failure = DeviceState.Failure(phase: failure.phase, step: failure.step, errorCode: failure.errorCode,
                                            message: failure.message)
        // The failure is the outcome either way; an endpoint or disk that cannot take it now is
        // named with it (the events stay pending for the next boot, the disk as it was).
        var message = failure.message
        do { try await flush() } catch { message += " (not reported to the endpoint: \(error))" }
        do { try save(durably: true) } catch { message += " (not saved: \(error))" }
        return .failed(phase: failure.phase, errorCode: failure.errorCode, message: message)
    }

    /// iPXE's `:uristring` formatting: everything but unreserved characters percent-encoded
    /// (over the UTF-8 bytes: the hardware hash alone is 4,000 characters per profile request).
    static func uriString(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}

/// A step that failed: where, the Windows error code and the message the device shows.
struct Failure: Error {
    let phase: OOBEPhase
    let step: String
    let errorCode: UInt32?
    let message: String
    /// The Autopilot event that ends the deployment (807, 815), when one does.
    var autopilotEvent: Int? = nil
}
