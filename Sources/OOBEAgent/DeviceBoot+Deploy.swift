import Foundation
import Autopilot
import DeviceProtocol

extension DeviceBoot {
    /// The flow the profile calls for.
    func deploy(_ profile: AutopilotProfileDocument) async throws -> OOBEAgent.Outcome {
        switch profile.mode {
        case .selfDeploying:
            flowMode = .selfDeploying
            return try await selfDeploy(profile)
        case .preProvisioning where !state.resealed:
            switch try await ask(.technician, ProtocolStep.technicianStart) {
            case .provision:
                flowMode = .preProvisioning
                return try await preProvision(profile)
            default: return try await userDriven(profile)
            }
        case .userDriven:
            // The technician may try pre-provisioning with a profile that does not allow it.
            if !state.resealed, case .provision = try await ask(.technician, ProtocolStep.technicianStart) {
                throw Failure(phase: .technician, step: "provision", errorCode: WindowsError.preprovisioningNotAllowed,
                              message: "pre-provisioning is not allowed by the profile (enableWhiteGlove is off)")
            }
            return try await userDriven(profile)
        case .preProvisioning:
            return try await userDriven(profile)
        }
    }

    // MARK: User-driven (Entra or hybrid), and pre-provisioning's user phase

    private func userDriven(_ profile: AutopilotProfileDocument) async throws -> OOBEAgent.Outcome {
        let user = try await signIn(profile)
        if profile.cloudAssignedDomainJoinMethod == 1 {
            try await enroll()
            if case .none = state.join { try await hybridJoin(profile) }
            if state.hybridRebootPending {
                state.hybridRebootPending = false
                await step(.identity, "reboot", seconds: Timing.Realistic.reboot, message: "applying the offline domain join")
                return .reboot
            }
        } else {
            if case .none = state.join { try await entraJoin() }
            try await enroll()
        }
        let policy = try await enrollmentPolicy()
        if state.resealed {
            report(.espDevicePreparation, "pre-provisioned", .skipped, message: "done by the technician")
        } else {
            try await devicePreparation(attest: false)
        }
        if let outcome = try await deviceSetup(policy) { return outcome }
        if profile.cloudAssignedDomainJoinMethod == 1 {
            await step(.identity, "ad-sign-in", seconds: Timing.Realistic.signIn, message: "signed in to the domain as \(user)")
        }
        if let outcome = try await accountSetup(policy, user: user) { return outcome }
        return try await desktop(profile, user: user)
    }

    /// The branded sign-in: the user's UPN (pre-filled for an assigned user).
    private func signIn(_ profile: AutopilotProfileDocument) async throws -> String {
        if let user = state.primaryUser, state.enrollment != nil { return user }
        let values = try await input(.oobePages, ProtocolStep.signIn)
        let user = values["upn"] ?? profile.cloudAssignedTenantUpn ?? "user@\(profile.cloudAssignedTenantDomain)"
        let domain = user.split(separator: "@").last.map(String.init) ?? ""
        if !domain.isEmpty && domain.lowercased() != profile.cloudAssignedTenantDomain.lowercased()
            && !domain.lowercased().hasSuffix("." + profile.cloudAssignedTenantDomain.lowercased()) {
            throw Failure(phase: .oobePages, step: ProtocolStep.signIn, errorCode: nil,
                          message: "That username looks like it belongs to another organization (\(domain))")
        }
        try checkErrorFault(.oobePages, ProtocolStep.signIn, defaultCode: WindowsError.entraJoinFailed, message: "sign-in failed")
        await step(.oobePages, ProtocolStep.signIn, seconds: Timing.Realistic.signIn, message: "signed in as \(user)")
        state.primaryUser = user
        return user
    }

    private func entraJoin() async throws {
        report(.identity, "entra-join", .started)
        try checkErrorFault(.identity, "entra-join", defaultCode: WindowsError.entraJoinFailed,
                            message: "Microsoft Entra join failed")
        await pause(Timing.Realistic.entraJoin)
        let deviceID = UUID().uuidString.lowercased()
        state.join = .entra(deviceID: deviceID)
        report(.identity, "entra-join", .completed, message: "joined, Entra device id \(deviceID)")
    }

    /// Hybrid: the Intune Connector's offline domain-join blob, the DC check, then a reboot.
    private func hybridJoin(_ profile: AutopilotProfileDocument) async throws {
        guard let join = profile.domainJoin else {
            throw Failure(phase: .identity, step: "offline-domain-join", errorCode: WindowsError.domainControllerNotFound,
                          message: "the profile has no domain-join configuration")
        }
        await step(.identity, "offline-domain-join", seconds: Timing.Realistic.offlineDomainJoin,
                   message: "blob from the Intune Connector for \(join.domainName)")
        if profile.hybridJoinSkipDCConnectivityCheck == 1 {
            report(.identity, "dc-check", .skipped, message: "skipped by the profile")
        } else {
            report(.identity, "dc-check", .started)
            if strike(.identity, "dc-check", kinds: [.unreachableDC]) != nil {
                throw Failure(phase: .identity, step: "dc-check", errorCode: WindowsError.domainControllerNotFound,
                              message: "no domain controller for \(join.domainName) is reachable")
            }
            try checkErrorFault(.identity, "dc-check", defaultCode: WindowsError.domainControllerNotFound,
                                message: "domain controller check failed")
            report(.identity, "dc-check", .completed, message: "a domain controller for \(join.domainName) answered")
        }
        let suffix = (0..<join.randomSuffixLength).map { _ in String("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()!) }
        state.deviceName = String((join.computerNamePrefix + suffix.joined()).prefix(15))
        state.join = .hybrid(domain: join.domainName, deviceID: UUID().uuidString.lowercased())
        state.hybridRebootPending = true
    }

    /// MDM enrollment (once), which the service may refuse.
    private func enroll() async throws {
        guard state.enrollment == nil else { return }
        report(.enrollment, "mdm", .started)
        try checkErrorFault(.enrollment, "mdm", defaultCode: WindowsError.enrollmentFailed, message: "MDM enrollment failed")
        await pause(Timing.Realistic.enrollment)
        try save()
        let platform = agent.platform
        let request = EnrollmentRequest(device: device, mode: flowMode,
                                        health: DeviceHealth(secureBoot: platform.secureBoot, tpmVersion: platform.tpm.version))
        let reply = try await client.send(.POST, DevicePaths.enroll, body: try ProtocolJSON.encoder().encode(request))
        guard reply.status == 200 else {
            throw Self.refusal(reply, .enrollment, "mdm", defaultCode: WindowsError.deviceReused, message: { $0 ?? "MDM enrollment was refused" })
        }
        let receipt = try ProtocolJSON.decoder().decode(EnrollmentReceipt.self, from: reply.body)
        state.enrollment = DeviceState.Enrollment(mdmDeviceID: receipt.mdmDeviceId, enrolledAt: Date())
        report(.enrollment, "mdm", .completed, message: "enrolled, MDM device id \(receipt.mdmDeviceId), \(receipt.compliance.text)")
        try save()  // the service has it: so must the device's disk
    }

    private func enrollmentPolicy() async throws -> EnrollmentPolicy {
        try save()
        return try await client.json(.GET, "\(DevicePaths.enrollment)?device=\(Self.uriString(device))", as: EnrollmentPolicy.self)
    }

    // MARK: Self-deploying

    private func selfDeploy(_ profile: AutopilotProfileDocument) async throws -> OOBEAgent.Outcome {
        try await devicePreparation(attest: true)
        let policy = try await enrollmentPolicy()
        if let outcome = try await deviceSetup(policy) { return outcome }
        report(.espAccountSetup, "account-setup", .skipped, message: "self-deploying devices have no user")
        return try await desktop(profile, user: nil)
    }

    // MARK: Pre-provisioning

    /// The technician's phase: Win x5, Provision, the device phase and device apps, then the
    /// green screen and Reseal (the device powers off).
    private func preProvision(_ profile: AutopilotProfileDocument) async throws -> OOBEAgent.Outcome {
        await step(.technician, "provision", seconds: Timing.Realistic.technician,
                   message: "Windows key x5, reviewed profile '\(profile.deploymentProfileName)', pressed Provision")
        try await devicePreparation(attest: true)
        let policy = try await enrollmentPolicy()
        if let outcome = try await deviceSetup(policy) { return outcome }
        report(.technician, "result", .completed, message: "green screen: pre-provisioning complete")
        switch try await ask(.technician, ProtocolStep.reseal) {
        case .reseal, .proceed, .powerOff:
            state.resealed = true
            state.pagesDone = []
            report(.technician, ProtocolStep.reseal, .completed, message: "resealed; powering off for the user")
            try await flush()
            return .poweredOff
        default:
            return .reboot
        }
    }

    // MARK: ESP

    /// Device preparation: securing the hardware (TPM attestation when the mode needs it),
    /// joining the organisation, registering for MDM.
    private func devicePreparation(attest: Bool) async throws {
        espSeconds = 0
        if attest {
            report(.espDevicePreparation, "securing-hardware", .started)
            let noTPM = !agent.platform.tpm.isVersion2 || strike(.espDevicePreparation, "securing-hardware", kinds: [.missingTPM]) != nil
            if noTPM || strike(.espDevicePreparation, "securing-hardware", kinds: [.hang]) != nil {
                // Attestation waits for a TPM 2.0 that never answers, then times out.
                await pause(Timing.Realistic.attestation * 10)
                throw Failure(phase: .espDevicePreparation, step: "securing-hardware", errorCode: WindowsError.attestationTimeout,
                              message: noTPM ? "TPM 2.0 attestation timed out: the device has no TPM 2.0 (\(agent.platform.tpm.version.map { "TPM \($0)" } ?? "none"))"
                                             : "TPM attestation timed out")
            }
            try checkErrorFault(.espDevicePreparation, "securing-hardware", defaultCode: WindowsError.attestationFailed,
                                message: "TPM attestation failed")
            let attested = try await attestTPM()
            await pause(Timing.Realistic.attestation)
            report(.espDevicePreparation, "securing-hardware", .completed,
                   message: "TPM 2.0 attested (\(attested.issuer))" + (attested.endorsementKeyDigest.map { ", EK SHA-256 \($0)" } ?? ""))
            if case .none = state.join {
                try await entraJoin()
            }
            try await enroll()
        }
        for step in ["joining-network", "registering-mdm"] {
            try checkErrorFault(.espDevicePreparation, step, defaultCode: WindowsError.enrollmentFailed,
                                message: "ESP device preparation failed at \(step)")
            await self.step(.espDevicePreparation, step, seconds: Timing.Realistic.preparation)
        }
    }

    /// TPM attestation against the lab's service: the TPM's evidence, then the credential only
    /// that TPM can activate. The service's refusal (a certificate that does not chain to the
    /// lab's TPM CA, a TPM that cannot activate the credential) carries the error code.
    private func attestTPM() async throws -> AttestationResult {
        let tpm: (any TrustedPlatformModule)? = if case .device(let tpm) = agent.platform.tpm { tpm } else { nil }
        let evidence = try tpm.map { tpm in try Self.inTPM("did not give its evidence") { try tpm.evidence() } }
        let challenge = try await attestationExchange(DevicePaths.attest, AttestationRequest(device: device, evidence: evidence),
                                                      as: AttestationChallenge.self)
        let secret = try tpm.map { tpm in try Self.inTPM("could not activate the credential") { try tpm.activate(challenge) } } ?? Data()
        return try await attestationExchange(DevicePaths.activate, AttestationProof(device: device, id: challenge.id, secret: secret),
                                             as: AttestationResult.self)
    }

    /// A step in the device's own TPM; its failure fails the attestation, saying what the TPM did not do.
    private static func inTPM<Result>(_ failed: String, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw Failure(phase: .espDevicePreparation, step: "securing-hardware", errorCode: WindowsError.attestationFailed,
                          message: "TPM attestation failed: the TPM \(failed): \(error)")
        }
    }

    /// One attestation request; a refusal fails the step with the service's code and words.
    private func attestationExchange<Answer: Decodable>(_ path: String, _ body: some Encodable, as type: Answer.Type) async throws -> Answer {
        let reply = try await client.send(.POST, path, body: try ProtocolJSON.encoder().encode(body))
        guard reply.status == 200 else {
            throw Self.refusal(reply, .espDevicePreparation, "securing-hardware", defaultCode: WindowsError.attestationFailed,
                               message: { "TPM attestation failed: " + ($0 ?? "\(path) answered \(reply.status)") })
        }
        return try ProtocolJSON.decoder().decode(type, from: reply.body)
    }

    /// A service's refusal as the device shows it: the error code and words of the endpoint's
    /// error document (a refusal without one is still a refusal, with `defaultCode`).
    private static func refusal(_ reply: EndpointClient.Reply, _ phase: OOBEPhase, _ step: String, defaultCode: UInt32,
                                message: (String?) -> String) -> Failure {
        let error = (try? ProtocolJSON.decoder().decode(ErrorDocument.self, from: reply.body))?.error
        let code = error?.details?[ErrorDocument.DetailKey.errorCode].flatMap(ErrorCode.parse)
        return Failure(phase: phase, step: step, errorCode: code ?? defaultCode, message: message(error?.message))
    }

    /// Device setup: device-targeted policies, certificates, network profiles and apps.
    /// Returns an outcome when the ESP ends the flow (an error screen, a reset).
    private func deviceSetup(_ policy: EnrollmentPolicy) async throws -> OOBEAgent.Outcome? {
        espSeconds = 0
        return try await track(policy.deviceItems, phase: .espDeviceSetup, policy: policy, into: \.deviceItems)
    }

    /// Account setup: user-targeted items, once Entra gives the user's tokens (a Conditional
    /// Access policy that requires a compliant device refuses them for one that is not).
    private func accountSetup(_ policy: EnrollmentPolicy, user: String) async throws -> OOBEAgent.Outcome? {
        guard policy.trackAccountSetup else {
            report(.espAccountSetup, "account-setup", .skipped, message: "not tracked")
            return nil
        }
        if let block = policy.conditionalAccessBlock {
            throw Failure(phase: .espAccountSetup, step: "conditional-access", errorCode: nil, message: "\(user): \(block.message)")
        }
        espSeconds = 0
        return try await track(policy.userItems, phase: .espAccountSetup, policy: policy, into: \.userItems)
    }

    /// Installs items, tracking blocking ones against the ESP timeout. With the ESP not shown,
    /// items install in the background and nothing blocks.
    private func track(_ items: [EnrollmentPolicy.TrackedItem], phase: OOBEPhase, policy: EnrollmentPolicy,
                       into keyPath: WritableKeyPath<DeviceState, [String]>) async throws -> OOBEAgent.Outcome? {
        let timeout = Double(policy.timeoutMinutes) * 60
        for item in items where !state[keyPath: keyPath].contains(item.id) {
            let step = "\(item.kind.rawValue):\(item.id)"
            let blocking = policy.showProgress && item.blocking
            report(phase, step, .started, message: item.name)
            if strike(phase, step, kinds: [.hang]) != nil {
                await pause(max(0, timeout - espSeconds))
                espSeconds = timeout
            }
            if let fault = faults.first(where: { $0.kind == .appFailure && (($0.app == item.id) || ($0.app == nil && $0.strikes(phase, step))) }),
               item.kind == .app, strike(phase, step, kinds: [.appFailure]) != nil {
                let code = fault.errorCode ?? WindowsError.appInstallFailed
                report(phase, step, .failed, errorCode: code, message: "\(item.name) failed to install")
                if blocking { return try await espError(policy, phase: phase, code: code, message: "\(item.name) failed to install") }
                continue
            }
            try checkErrorFault(phase, step, defaultCode: WindowsError.appInstallFailed, message: "\(item.name) failed")
            if checkRebootFault(phase, step) { return .reboot }
            await pause(item.seconds)
            espSeconds += item.seconds
            if blocking && espSeconds > timeout {
                return try await espError(policy, phase: phase, code: WindowsError.appsTimeout,
                                          message: "the ESP timed out after \(policy.timeoutMinutes) minutes installing \(item.name)")
            }
            state[keyPath: keyPath].append(item.id)
            switch item.kind {
            case .network: state.wifiProfiles.append(item.id)
            case .certificate: state.certificates.append(item.id)
            default: break
            }
            report(phase, step, .completed, message: blocking ? nil : "\(item.name) (not blocking)")
        }
        return nil
    }

    /// The ESP's error screen: the controller presses one of the buttons the profile allows, or
    /// none (the device stays on the error, the deployment failed).
    private func espError(_ policy: EnrollmentPolicy, phase: OOBEPhase, code: UInt32, message: String) async throws -> OOBEAgent.Outcome? {
        var buttons: [ESPButton] = []
        if policy.allowResetOnFailure { buttons.append(.reset) }
        if policy.allowUseOnFailure { buttons.append(.continue) }
        if !policy.blockRetryByUser { buttons.append(.retry) }
        report(phase, ProtocolStep.espError, .info, errorCode: code,
               message: "\(policy.errorMessage) [buttons: \(buttons.map(\.rawValue).joined(separator: ", "))]")
        let choice = try await input(phase, ProtocolStep.espError)[ESPButton.inputKey].flatMap(ESPButton.init(rawValue:))
        switch choice {
        case .reset? where buttons.contains(.reset):
            report(phase, ProtocolStep.espError, .completed, errorCode: code, message: "Reset device pressed")
            state = state.wiped()
            return .reboot
        case .continue? where buttons.contains(.continue):
            report(phase, ProtocolStep.espError, .completed, errorCode: code, message: "Continue anyway pressed")
            return nil
        case .retry? where buttons.contains(.retry):
            report(phase, ProtocolStep.espError, .completed, errorCode: code, message: "Try again pressed")
            return .reboot
        default:
            throw Failure(phase: phase, step: ProtocolStep.outcome, errorCode: code, message: "\(message): \(policy.errorMessage)")
        }
    }

    // MARK: Desktop

    private func desktop(_ profile: AutopilotProfileDocument, user: String?) async throws -> OOBEAgent.Outcome {
        if state.deviceName == nil {
            state.deviceName = Self.deviceName(template: profile.cloudAssignedDeviceName, serial: agent.identity.serial)
        }
        let name = state.deviceName!
        if state.syncPendingAfterReset {
            await step(.desktop, "mdm-sync", seconds: Timing.Realistic.enrollment, message: "the desktop waited for an MDM sync after the reset")
            state.syncPendingAfterReset = false
        }
        state.businessReady = true
        state.primaryUser = user ?? state.primaryUser
        if let owner = state.primaryUser, state.userFiles.isEmpty {
            // The user starts working: their own files appear in the profile.
            state.userFiles = ["C:/Users/\(owner.split(separator: "@").first ?? "user")/Documents/notes.docx"]
        }
        report(.desktop, ProtocolStep.ready, .started)
        await pause(Timing.Realistic.desktop)
        report(.desktop, ProtocolStep.ready, .completed, deviceName: name,
               message: user == nil ? "business-ready as \(name): the sign-in screen" : "business-ready as \(name), \(user!) at the desktop")
        return .businessReady(deviceName: name)
    }

    /// The computer name: the profile's template (`%SERIAL%`, `%RAND:x%`), else Windows' own
    /// `DESKTOP-XXXXXXX`.
    static func deviceName(template: String?, serial: String) -> String {
        if let template, let parsed = try? DeviceNameTemplate(template) {
            return parsed.name(serial: serial, randomDigit: { Int.random(in: 0...9) })
        }
        return "DESKTOP-" + String((0..<7).map { _ in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! })
    }
}
