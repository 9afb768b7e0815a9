import ArgumentParser
import DeviceProtocol
import Foundation
import LabRunner
import LabService
import LabStore
import LabFiles

/// Options every flow command shares: the device, the lab, waiting or not.
struct FlowOptions: ParsableArguments {
    @Argument(help: "The device's name or serial.")
    var device: String

    @OptionGroup var selection: LabSelection

    @OptionGroup var host: HostOptions

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// Runs a flow on the lab's devices (virtual or real VMs) and prints what happened.
    func run(_ body: @escaping @Sendable (Fleet) async throws -> FlowResult) async throws {
        let selection = selection
        let labFile = try await Offload.run { try selection.labFile() }
        let running = try await RunningLab.open(labFile: labFile, stateRoot: selection.stateRoot,
                                                options: try host.options(for: labFile))
        let result: FlowResult
        do {
            result = try await Interruption.cancellable { try await body(running.fleet) }
        } catch {
            printError("pxelab: \(error)")
            do { try await running.close() } catch let closing { printError("pxelab: closing the lab failed too: \(closing)") }
            throw ExitCode.failure
        }
        try await running.close()
        if json {
            try printJSON(result)
        } else {
            print(FlowText.render(result))
        }
        if result.refused { printError("pxelab: the device refused the \(result.flow.rawValue)") }
        if result.failed { throw ExitCode.failure }
    }

    /// Queues an action for the device's next boot, without waiting.
    func queue(_ action: DeviceAction) async throws {
        let (selection, device) = (selection, device)
        let name = try await Offload.run {
            let lab = try selection.open()
            try lab.queue(action, for: device)
            return try lab.device(device).name
        }
        print("\(name): queued; the device carries it out at its next boot")
    }
}

/// A flow's result as text.
enum FlowText {
    static func render(_ result: FlowResult) -> String {
        var lines = ["\(result.device): \(result.flow.rawValue) -> \(result.result.rawValue)" + (result.errorCode.map { " \($0)" } ?? "")
                     + String(format: " in %.2f s, %d boot(s)", result.seconds, result.boots)]
        lines.append("  phases: \(result.phases.map(\.rawValue).joined(separator: " > "))")
        if !result.kept.isEmpty { lines.append("  kept: \(result.kept.sorted().map(\.rawValue).joined(separator: ", "))") }
        if !result.removed.isEmpty { lines.append("  removed: \(result.removed.sorted().map(\.rawValue).joined(separator: ", "))") }
        if let message = result.message { lines.append("  \(message)") }
        return lines.joined(separator: "\n")
    }
}

struct Reset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Autopilot Reset a device, locally (Ctrl+Win+R at the lock screen) or remotely (the MDM action).",
        discussion: """
        Keeps Wi-Fi, provisioning packages, the Entra join, the MDM enrollment and SCEP certificates; removes \
        personal files, apps, settings and the primary user; regional settings go back to the originals; the \
        device runs the short OOBE and the ESP again and waits for an MDM sync. A local reset needs the \
        Autopilot Reset policy (a policy of kind autopilot-reset); every reset needs WinRE (else 0x80070032); \
        hybrid-joined devices are refused. Returns when the device is business-ready again.
        """
    )
    @OptionGroup var flow: FlowOptions
    @Flag(help: "The remote reset (an MDM action) instead of the local one.")
    var remote = false
    @Flag(name: .customLong("no-wait"), help: "Queue the reset for the device's next boot and return.")
    var noWait = false

    func run() async throws {
        if noWait { return try await flow.queue(.reset(remote: remote)) }
        let (device, remote) = (flow.device, remote)
        try await flow.run { try await $0.reset(device, remote: remote) }
    }
}

struct Repurpose: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wipe a device, optionally give it a new group tag or user, and run Autopilot again.",
        discussion: """
        --wipe full removes everything; keep-enrollment keeps the join and enrollment; keep-user-data keeps the \
        user's files; fresh-start and fresh-start-keep-user-data remove apps. A new group tag lets assignment \
        pick another profile (and so another device name). Self-deploying and pre-provisioned devices are blocked \
        with 0x80180014 until their Autopilot record is deleted or their next enrollment is allowed.
        """
    )
    @OptionGroup var flow: FlowOptions
    @Option(help: "How to wipe the device.")
    var wipe = WipeKind.full
    @Option(name: .customLong("group-tag"), help: "The new group tag.")
    var groupTag: String?
    @Option(help: "The new assigned user.")
    var user: String?

    func run() async throws {
        let (device, wipe, update) = (flow.device, wipe, AutopilotService.RegistrationUpdate(groupTag: groupTag, assignedUser: user))
        try await flow.run { try await $0.repurpose(device, wipe: wipe, update: update) }
    }
}

struct Recover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Bring a broken device back to business-ready (break/fix).",
        discussion: """
        Boots the device to see whether it reaches its desktop. A broken system shows its error and then its \
        recovery screen, where the repair starts at once (autopilot-reset from WinRE, or reimage over PXE), and \
        the device goes on through the repair to business-ready; a device still not business-ready then (a boot \
        loop, an ESP timeout) gets the repair, or is reverted to snapshot:NAME, on its next boot. Break a device \
        on purpose with `pxelab break`.
        """
    )
    @OptionGroup var flow: FlowOptions
    @Option(help: "How to repair the device.")
    var method = RecoveryMethod.autopilotReset

    func run() async throws {
        let (device, method) = (flow.device, method)
        try await flow.run { try await $0.recover(device, method: method) }
    }
}

struct Break: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "break",
        abstract: "Break a device on purpose, then boot it into the damage."
    )
    @OptionGroup var flow: FlowOptions
    @Option(help: "How to break it.")
    var how = BreakKind.corruptOS

    func run() async throws {
        let (device, how) = (flow.device, how)
        try await flow.run { fleet in
            try await fleet.breakDevice(device, how: how)
            return try await fleet.power(device, .on)
        }
    }
}

struct Retire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Retire a device: unenroll, remove company data, delete its Autopilot registration.",
        discussion: "A retired and deregistered device that boots gets 807 until it is registered again (pxelab import-csv)."
    )
    @OptionGroup var flow: FlowOptions
    @Flag(name: .customLong("no-wait"), help: "Delete the registration and queue the retire for the device's next boot, and return.")
    var noWait = false

    func run() async throws {
        if noWait { return try await flow.queue(.retire) }
        let device = flow.device
        try await flow.run { try await $0.retire(device) }
    }
}

struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a named snapshot of a device (libvirt's, with the device's disk and lifecycle state)."
    )
    @OptionGroup var flow: FlowOptions
    @Argument(help: "The snapshot's name, such as at-oobe or business-ready.")
    var name: String

    func run() async throws {
        let (device, name) = (flow.device, name)
        try await flow.run { fleet in
            try await fleet.snapshot(device, as: name)
            return try await fleet.power(device, .off)
        }
    }
}

struct Revert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revert a device to a named snapshot and boot it, to retest a phase in seconds."
    )
    @OptionGroup var flow: FlowOptions
    @Argument(help: "The snapshot's name.")
    var name: String

    func run() async throws {
        let (device, name) = (flow.device, name)
        try await flow.run { fleet in
            try await fleet.revert(device, to: name)
            return try await fleet.power(device, .on)
        }
    }
}
