public import Foundation
public import DeviceIdentity
public import DeviceProtocol
public import Autopilot

/// A lab, as a lab file declares it: where devices run, what hardware they are, the fleet, the
/// Autopilot tenant they deploy against, and the scenario to run.
///
/// Load one with ``LabFile/load(file:)``; every problem in the file is reported at once.
public struct LabFile: Sendable {
    /// The file the lab file was read from.
    public var source: String
    /// The lab's name: it scopes device names, identities and the state folder.
    public var lab: String
    public var description: String?
    /// libvirt hosts by name, in file order; the first is the default.
    public var hosts: [LabHost]
    /// Where devices that name no host go.
    public var placement: HostPlacementPolicy
    /// Device models by id, in file order.
    public var models: [DeviceModel]
    /// Every device of the fleet, expanded, with its identity.
    public var devices: [LabDevice]
    public var tenant: Tenant
    /// How long a newly targeted device stays "assigning" before its profile is assigned.
    public var assignmentDelaySeconds: Double
    /// How long an identity uploaded through Graph stays `unknown` before it is processed.
    public var importDelaySeconds: Double
    /// How long an Autopilot sync runs.
    public var syncSeconds: Double
    public var groups: [DeviceGroup]
    public var profiles: [DeploymentProfile]
    public var enrollmentStatusPages: [EnrollmentStatusPage]
    public var apps: [App]
    /// Policies, certificates and network profiles (the `policies` section).
    public var configurations: [ConfigurationItem]
    /// Intune compliance policies (the `compliance` section).
    public var compliancePolicies: [CompliancePolicy]
    /// Entra Conditional Access policies (the `conditionalAccess` section).
    public var conditionalAccessPolicies: [ConditionalAccessPolicy]
    public var scenario: [ScenarioStep]
    /// How fast devices go through their steps.
    public var timing: LabTiming
    /// The user's answers to OOBE pages.
    public var user: UserAnswers
    /// Faults to inject, with the devices they apply to.
    public var faults: [FaultRule]
    /// The Graph door's throttling and injected faults.
    public var graph: GraphSettings

    /// The Autopilot service's configuration this lab file declares.
    public var serviceConfiguration: ServiceConfiguration {
        ServiceConfiguration(tenant: tenant, groups: groups, profiles: profiles, enrollmentStatusPages: enrollmentStatusPages,
                             apps: apps, configurations: configurations, compliancePolicies: compliancePolicies,
                             conditionalAccessPolicies: conditionalAccessPolicies, assignmentDelaySeconds: assignmentDelaySeconds,
                             importDelaySeconds: importDelaySeconds, syncSeconds: syncSeconds)
    }

    /// The host a device runs on: the one it names (or was placed on), else the first.
    public func host(of device: LabDevice) -> LabHost {
        hosts.first { $0.name == device.host } ?? hosts[0]
    }

    /// The lab file with devices that name no host placed on the hosts `placement` gives (by
    /// device name, hosts by name); names of hosts the lab file no longer has are left out.
    public func placing(_ placement: [String: String]) -> LabFile {
        var placed = self
        let names = Set(hosts.map(\.name))
        for index in placed.devices.indices where !placed.devices[index].namesHost {
            if let host = placement[placed.devices[index].name], names.contains(host) { placed.devices[index].host = host }
        }
        return placed
    }

    /// The model a device is an instance of.
    public func model(of device: LabDevice) -> DeviceModel {
        models.first { $0.id == device.model }!
    }
}

/// How devices that name no host are placed on a lab's hosts.
public enum HostPlacementPolicy: String, Sendable, CaseIterable {
    /// On the first host (the default).
    case firstHost = "first-host"
    /// Spread over the hosts by capacity (free memory and CPUs, as libvirt's node info says),
    /// once: `pxelab up` records where each went, and a device stays there.
    case capacity
}

/// A libvirt host the lab's devices are defined on.
public struct LabHost: Sendable, Equatable {
    public var name: String
    /// A libvirt URI. `test:///default` is the embedded default: libvirt's test driver, in-process.
    public var uri: String
    /// The address this host's real VMs reach the controller's endpoint at (`bootAddress`); nil:
    /// QEMU's user-mode gateway (10.0.2.2, the loopback of the machine QEMU runs on) for a host on
    /// the controller's machine, the controller's address on the route to the host for another.
    public var bootAddress: String?
    /// The certificates of the CA that certifies this host's vTPMs (`ekAuthority`): its swtpm
    /// local CA's folder, or a PEM file of its root and issuer certificates, copied from the host.
    /// nil: the controller's own swtpm local CA certifies them (a host on the same machine, or
    /// one sharing its `/var/lib/swtpm-localca`).
    public var ekAuthority: URL?

    public init(name: String, uri: String, bootAddress: String? = nil, ekAuthority: URL? = nil) {
        self.name = name
        self.uri = uri
        self.bootAddress = bootAddress
        self.ekAuthority = ekAuthority
    }

    /// The machine a remote URI names (`qemu+tcp://198.18.0.2/system`: 198.18.0.2); nil for a
    /// local one (`qemu:///system`, `test:///default`, or one naming localhost).
    public var remoteMachine: String? { remoteAddress?.machine }

    /// Where a remote URI reaches libvirtd: its machine, and its port (the URI's own, else the
    /// transport's: `+tcp` 16509, `+ssh` and `+libssh` 22, TLS, the default, 16514).
    public var remoteAddress: (machine: String, port: Int)? {
        guard let schemeEnd = uri.range(of: "://") else { return nil }
        let scheme = uri[..<schemeEnd.lowerBound]
        let rest = uri[schemeEnd.upperBound...]
        var authority = String(rest.prefix { $0 != "/" && $0 != "?" })
        if let at = authority.lastIndex(of: "@") { authority = String(authority[authority.index(after: at)...]) }
        let machine: String, port: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            machine = String(authority[authority.index(after: authority.startIndex)..<close])
            port = authority[authority.index(after: close)...].split(separator: ":").first
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            machine = String(parts.first ?? "")
            port = parts.count > 1 ? parts[1] : nil
        }
        guard !["", "localhost", "127.0.0.1", "::1"].contains(machine) else { return nil }
        let transportPort = scheme.hasSuffix("+tcp") ? 16509 : scheme.hasSuffix("+ssh") || scheme.hasSuffix("+libssh") || scheme.hasSuffix("+libssh2") ? 22 : 16514
        return (machine, port.flatMap { Int($0) } ?? transportPort)
    }

    /// The host used when a lab file declares none.
    public static let embedded = LabHost(name: "embedded", uri: "test:///default")
}

/// A hardware model: the SMBIOS values and virtual hardware its devices share.
public struct DeviceModel: Sendable, Equatable {
    public var id: String
    public var manufacturer: String
    public var product: String
    public var version: String?
    public var sku: String?
    public var family: String?
    public var chassisType: ChassisType
    public var boardManufacturer: String
    public var boardProduct: String
    /// SMBIOS type 0: `bios: { vendor, version, date }`; by default the model's manufacturer,
    /// version 1.0.0, dated 01/01/2026.
    public var bios: DeviceIdentity.BIOS
    public var memoryMiB: Int
    public var vcpus: Int
    public var diskGiB: Int
    /// The firmware its devices start: UEFI (the default, as Windows 11 hardware) or a legacy BIOS.
    public var firmware: Firmware
    /// Whether UEFI Secure Boot is on (the default with UEFI; never with a BIOS): a real VM then
    /// runs only signed code, from Microsoft's keys down.
    public var secureBoot: Bool
    public var tpm: TPM
    /// Whether the Windows Recovery Environment is enabled (Autopilot Reset needs it).
    public var winRE: Bool

    /// A model's firmware.
    public enum Firmware: String, Codable, Sendable, Equatable, CaseIterable {
        case uefi
        case bios
    }

    /// The TPM a model has.
    public enum TPM: String, Codable, Sendable, Equatable, CaseIterable {
        case none
        case v1_2 = "1.2"
        case v2_0 = "2.0"
    }
}

/// Field bugs a device may reproduce on purpose, which validation otherwise rejects.
public enum FieldBug: String, Sendable, Equatable, CaseIterable {
    /// The device reports a placeholder serial such as "Default string".
    case placeholderSerial = "placeholder-serial"
    /// The device shares its serial with another device.
    case duplicateSerial = "duplicate-serial"
}

/// One device of the fleet.
public struct LabDevice: Sendable, Equatable {
    /// The device's name in the lab, also its libvirt domain name.
    public var name: String
    /// The model id.
    public var model: String
    /// The host name.
    public var host: String
    /// Whether the lab file names its host; a device that does not goes where the lab's
    /// ``HostPlacementPolicy`` puts it.
    public var namesHost: Bool
    public var identity: DeviceIdentity
    /// The Autopilot group tag (`[OrderID]`).
    public var groupTag: String?
    public var assignedUser: String?
    public var purchaseOrder: String?
    /// Field bugs this device reproduces on purpose.
    public var reproduces: Set<FieldBug>
    /// A hardware hash to present instead of one derived from the identity (cloned field devices).
    public var hardwareHash: String?
    /// Whether the lab registers the device with Autopilot (as an OEM would); unregistered devices
    /// get event 807 until a CSV import registers them.
    public var registered: Bool
    /// What the device must end as after `pxelab run` (business-ready when the lab file does
    /// not say, and the lab has no scenario).
    public var expect: DeviceExpectation?
    /// Whether a technician pre-provisions it (default: when its profile allows it).
    public var preProvision: Bool?
    /// The button the user presses on an ESP error screen (`reset`, `continue`, `retry`), if any.
    public var onESPError: ESPButton?
    /// The 0-based index of the fleet entry that produced the device.
    public var fleetEntry: Int
}
