import Foundation
public import LabService
import Libvirt
import LibvirtXML
import DeviceProtocol

/// One row of `pxelab devices`: a lab device as libvirt reports it.
public struct DeviceListing: Codable, Sendable, Equatable {
    public var lab: String
    public var name: String
    public var serial: String
    public var model: String?
    public var mac: String?
    public var groupTag: String?
    /// A real VM's firmware, Secure Boot and TPM as its definition has them (`UEFI, Secure Boot
    /// on, TPM 2.0`); nil for a virtual device, which reports its model's.
    public var platform: String?
    /// libvirt's state, in `virsh list` words ("running", "shut off"...).
    public var state: String
    public var uri: String
    /// The lab file's host the device is on, by name; nil when listed by URI alone or brought up
    /// with `--libvirt`.
    public var host: String?
}

/// Lists lab devices from libvirt alone, through the metadata pxelab writes into each domain.
public enum DeviceInventory {
    /// The devices of one lab folder, on every host the lab was brought up on (opened side by side),
    /// each with the lab file's name for its host.
    public static func devices(in directory: LabDirectory) throws -> [DeviceListing] {
        guard let record = try LabPlacement.load(from: directory) else { return [] }
        return try OpenHost.open(uris: record.uris, directory: directory).flatMap { host in
            try devices(on: host, lab: directory.lab).map { listing in
                var listing = listing
                listing.host = record.hostName(of: listing.name, on: listing.uri)
                return listing
            }
        }
    }

    /// The devices of one lab (or of every lab when `lab` is nil) on a libvirt URI.
    public static func devices(on uri: String, directory: LabDirectory, lab: String?) throws -> [DeviceListing] {
        try devices(on: OpenHost.open(uri: uri, directory: directory), lab: lab)
    }

    private static func devices(on host: OpenHost, lab: String?) throws -> [DeviceListing] {
        let real = try host.hypervisor() != .test
        return try host.labDomains(lab: lab).compactMap { domain, metadata in
            try OpenHost.unlessUndefined {
                DeviceListing(lab: metadata.lab, name: domain.name, serial: metadata.serial, model: metadata.model,
                              mac: metadata.mac?.description, groupTag: metadata.groupTag,
                              platform: real ? try platform(of: domain) : nil,
                              state: try domain.state().state.description, uri: host.uri)
            }
        }.sorted { ($0.lab, $0.name) < ($1.lab, $1.name) }
    }

    /// A real VM's firmware and TPM, read from its definition.
    static func platform(of domain: Domain) throws -> String {
        let spec = try DomainSpec(xml: domain.xmlDescription([.inactive]), source: domain.name)
        let secureBoot = if case .uefi(let uefi) = spec.os.firmware { uefi.secureBoot } else { false }
        let uefi = if case .uefi = spec.os.firmware { true } else { false }
        return PlatformText.describe(uefi: uefi, secureBoot: secureBoot, tpm: spec.tpm?.version)
    }
}
