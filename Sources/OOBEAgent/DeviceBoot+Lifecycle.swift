import Foundation
import DeviceProtocol

/// What the lifecycle flows do to the device's own state, as Windows does it.
extension DeviceBoot {
    /// The id of the policy that allows Autopilot Reset from the lock screen.
    static let resetPolicy = "autopilot-reset"

    /// At the desktop the device asks the controller once what to do (polling while told to
    /// wait): nothing, or a reset, wipe, retire, power-off or reboot.
    func desktop() async throws -> OOBEAgent.Outcome {
        if let damage = state.damage, !damage.systemStarts { return try await damaged(damage) }
        report(.desktop, "boot", .info, message: "booted to the desktop as \(state.deviceName ?? "?")")
        let action = try await ask(.desktop, ProtocolStep.idle)
        if let damage = state.damage, case .proceed = action { return try await damaged(damage) }
        return try await desktopAction(action)
    }

    /// Carries out what the controller asked for at the desktop.
    func desktopAction(_ action: NextAction) async throws -> OOBEAgent.Outcome {
        switch action {
        case .reset(let remote): return try await reset(remote: remote)
        case .wipe(let keepEnrollment, let keepUserData): return try await wipe(keepEnrollment: keepEnrollment, keepUserData: keepUserData)
        case .retire: return try await retire()
        case .powerOff: return .poweredOff
        case .reboot: return .reboot
        case .damage(let damage):
            state.damage = damage
            if damage == .lostEnrollment { state.enrollment = nil }
            report(.lifecycle, ProtocolStep.damage, .info, message: "broken on purpose: \(damage.rawValue)")
            try save(durably: true)
            return .reboot
        default: return .desktop
        }
    }

    /// Autopilot Reset. Keeps Wi-Fi, provisioning packages, the Entra join, the MDM enrollment
    /// and SCEP certificates; removes personal files, apps, settings and the primary user;
    /// regional settings go back to the originals; the short OOBE and the ESP run again and the
    /// desktop waits for an MDM sync. Needs WinRE (else 0x80070032); hybrid-joined devices are
    /// not supported. A refused reset leaves the device at its desktop.
    func reset(remote: Bool) async throws -> OOBEAgent.Outcome {
        let how = remote ? "remote (MDM action)" : "local (Ctrl+Win+R, local administrator sign-in)"
        report(.lifecycle, ProtocolStep.reset, .started, message: how)
        if case .hybrid = state.join {
            report(.lifecycle, ProtocolStep.reset, .failed, message: "Autopilot Reset is not supported for hybrid-joined devices")
            return .desktop
        }
        if !remote && !state.deviceItems.contains(Self.resetPolicy) {
            report(.lifecycle, ProtocolStep.reset, .failed,
                   message: "Autopilot Reset from the lock screen is not allowed by policy (DisableAutomaticReDeploymentCredentials)")
            return .desktop
        }
        guard state.winRE else {
            report(.lifecycle, ProtocolStep.reset, .failed, errorCode: WindowsError.winREDisabled,
                   message: "the Windows Recovery Environment is not enabled")
            return .desktop
        }
        await pause(Timing.Realistic.reset)
        let removed = "\(state.userFiles.count) personal files, \(state.deviceItems.count + state.userItems.count) apps and settings"
            + (state.primaryUser.map { ", user \($0)" } ?? "")
        var next = state.wiped()
        next.join = state.join
        next.enrollment = state.enrollment
        next.wifiProfiles = state.wifiProfiles
        next.certificates = state.certificates
        next.provisioningPackages = state.provisioningPackages
        next.deviceName = state.deviceName
        next.resealed = state.resealed
        // Wi-Fi profiles and certificates stay in place, so the ESP finds them done.
        next.deviceItems = state.deviceItems.filter { state.wifiProfiles.contains($0) || state.certificates.contains($0) }
        next.syncPendingAfterReset = true
        try complete(ProtocolStep.reset, leaving: next, "\(removed); regional settings back to the originals")
        return .reboot
    }

    /// A wipe: everything, or keeping the enrollment (and join) or the user's data. The next boot
    /// starts OOBE again.
    func wipe(keepEnrollment: Bool, keepUserData: Bool) async throws -> OOBEAgent.Outcome {
        report(.lifecycle, ProtocolStep.wipe, .started, message: keepEnrollment ? "keeping the enrollment" : (keepUserData ? "keeping user data" : "full"))
        await pause(Timing.Realistic.wipe)
        var next = state.wiped()
        if keepEnrollment {
            next.join = state.join
            next.enrollment = state.enrollment
            next.provisioningPackages = state.provisioningPackages
            next.wifiProfiles = state.wifiProfiles
        }
        if keepUserData {
            next.primaryUser = state.primaryUser
            next.userFiles = state.userFiles
        }
        try complete(ProtocolStep.wipe, leaving: next, "the device starts the out-of-box experience again")
        return .reboot
    }

    /// Retire: MDM unenrollment and company data removed; the user's own files stay.
    func retire() async throws -> OOBEAgent.Outcome {
        report(.lifecycle, ProtocolStep.retire, .started)
        var next = state
        next.enrollment = nil
        next.deviceItems = []
        next.userItems = []
        next.wifiProfiles = []
        next.certificates = []
        next.cachedProfile = nil
        next.businessReady = false
        try complete(ProtocolStep.retire, leaving: next, "unenrolled, company data removed")
        return .desktop
    }

    /// Ends a lifecycle flow's action: the device is left as `next`, reports what it kept and
    /// removed, and keeps it on its disk.
    private func complete(_ step: String, leaving next: DeviceState, _ note: String) throws {
        let change = state.change(to: next)
        state = next
        report(.lifecycle, step, .completed, kept: change.kept, removed: change.removed, message: "\(change.summary); \(note)")
        try save(durably: true)
    }

    /// A device broken on purpose cannot reach its desktop: it shows why, then the recovery
    /// screen, where someone may start an Autopilot Reset from WinRE (which repairs the system)
    /// or reimage it; otherwise it restarts (automatic repair) or stays on its error.
    private func damaged(_ damage: Damage) async throws -> OOBEAgent.Outcome {
        switch damage {
        case .lostEnrollment:
            report(.desktop, "mdm-sync", .failed, errorCode: WindowsError.enrollmentFailed,
                   message: "the device is no longer enrolled: MDM sync fails")
        case .failedUpdate:
            report(.boot, "windows-update", .failed, errorCode: WindowsError.updateFailed,
                   message: "a cumulative update failed to install; undoing changes, restarting")
        case .corruptOS, .unbootableDisk:
            report(.boot, "os", .failed, errorCode: WindowsError.inaccessibleBootDevice,
                   message: "INACCESSIBLE_BOOT_DEVICE: the system cannot start; automatic repair restarts it")
        }
        switch try await ask(.boot, ProtocolStep.recovery) {
        // The repair's new system has no damage; until it is done (and if it is refused) the
        // device stays broken, on its disk too.
        case .reset(let remote) where !damage.systemStarts:
            report(.boot, ProtocolStep.recovery, .info, message: "Autopilot Reset started from the Windows Recovery Environment")
            return try await reset(remote: remote)
        case .wipe(let keepEnrollment, let keepUserData):
            return try await wipe(keepEnrollment: keepEnrollment, keepUserData: keepUserData)
        default:
            break
        }
        guard damage.systemStarts else { return .reboot }
        throw Failure(phase: .desktop, step: ProtocolStep.outcome, errorCode: WindowsError.enrollmentFailed,
                      message: "lost MDM enrollment")
    }
}
