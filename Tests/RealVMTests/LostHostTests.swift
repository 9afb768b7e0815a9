import Foundation
import Testing
import DeviceProtocol
import LabController
import LabService
@testable import LabRunner
import LabFiles
import TestSupport

/// `make soak`: two libvirt hosts are lost in the middle of a run over three: one's network goes
/// silent (libvirt notices through its unanswered keepalives), the other's libvirtd is killed (its
/// VM runs on). Each lost host's device fails within the keepalive window and the link's grace,
/// naming the host and the phase it was in; the device on this machine's host finishes; once the
/// hosts are back, the usual recovery flow brings their devices to business-ready. (Under `make
/// test` its VMs beside the other real-VM tests' pushed those past their time limits on two cores.)
@Suite("two libvirt hosts lost in the middle of a run (soak)", .needs(.libvirtQEMU, .guestImage, .netnsHost),
       .enabled(if: ProcessInfo.processInfo.environment["PXELAB_SOAK_LOST_HOSTS"] == "1"))
struct LostHostTests {
    /// How a host is lost.
    enum Loss {
        case networkCut, libvirtdKilled

        func apply(to host: NetnsLibvirtHost) async throws {
            switch self {
            case .networkCut: try await host.cutNetwork()
            case .libvirtdKilled: try await host.killLibvirtd()
            }
        }

        func undo(on host: NetnsLibvirtHost) async throws {
            switch self {
            case .networkCut: try await host.mendNetwork()
            case .libvirtdKilled: try await host.startLibvirtd()
            }
        }
    }

    @Test func itsDevicesFailNamingItTheOtherFinishesAndRecoveryWorksOnceItIsBack() async throws {
        try await withNetnsLibvirtHost(name: "pxl-lost", index: 3) { cut in
            try await withNetnsLibvirtHost(name: "pxl-kill", index: 4) { killed in
                try await run(losing: [(cut, .networkCut), (killed, .libvirtdKilled)])
            }
        }
    }

    func run(losing lost: [(host: NetnsLibvirtHost, loss: Loss)]) async throws {
        let tag = "lh" + UUID().uuidString.prefix(6).lowercased()
        let remote = lost.enumerated().map { index, lost in (host: "rack\(index + 1)", name: "\(tag)-r\(index + 1)", lost: lost) }
        let hosts = remote.map { "  \($0.host): \($0.lost.host.uri)" }.joined(separator: "\n")
        let fleet = remote.enumerated().map { index, remote in
            "  - { model: mini, name: \(remote.name), host: \(remote.host), serial: \"\(tag.uppercased())R\(index + 1)\", groupTag: Sales }"
        }.joined(separator: "\n")
        let labFile = try LabFile.parse("""
            lab: \(tag)
            hosts:
              local: qemu:///system
            \(hosts)
            timing: { scale: 0.25 }
            tenant: { domain: contoso.onmicrosoft.com }
            models:
              mini: { manufacturer: LENOVO, product: 11T3S0JR00, memory: 512, firmware: bios, tpm: "2.0" }
            fleet:
              - { model: mini, name: \(tag)-here, serial: "\(tag.uppercased())01", groupTag: Sales }
            \(fleet)
            groups:
              - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
            profiles:
              - { displayName: Sales, outOfBoxExperienceSettings: { hideEULA: true, hidePrivacySettings: true, skipKeyboardSelectionPage: true }, assignments: [Sales] }
            esp:
              - { displayName: Sales ESP, selectedMobileAppIds: [Portal] }
            apps:
              # A VM whose libvirtd died runs on: its ESP must outlast the run's grace for its host.
              - { displayName: Portal, installTime: 160s }
            """, file: "lost-host.yaml")
        try await withRealVMLab(labFile, folder: "pxelab-lost-host") { running in
            let here = "\(tag)-here"
            async let local = running.fleet.deploy(here)
            // Each remote host is lost once its device has started its ESP.
            let results = try await withThrowingTaskGroup(of: (Int, FlowResult).self) { group in
                for (index, remote) in remote.enumerated() {
                    let events = running.lab.store.feed.subscribe(device: remote.name)
                    group.addTask {
                        async let deployment = running.fleet.deploy(remote.name)
                        for await event in events where event.phase == .espDeviceSetup && event.status == .started {
                            try await remote.lost.loss.apply(to: remote.lost.host)
                            break
                        }
                        return (index, try await deployment)
                    }
                }
                var results: [Int: FlowResult] = [:]
                for try await (index, result) in group { results[index] = result }
                return results
            }
            let finished = try await local
            #expect(finished.result == .businessReady, "\(finished)")
            for (index, remote) in remote.enumerated() {
                let failed = try #require(results[index])
                #expect(failed.result == .failed, "\(remote.lost.loss): \(failed)")
                let message = failed.message ?? ""
                #expect(message.contains(remote.lost.host.uri) && message.contains("esp-device-setup"), "\(remote.lost.loss): \(message)")
                #expect(failed.phases.last == .espDeviceSetup, "\(failed.phases)")
            }
            for remote in remote {
                try await remote.lost.loss.undo(on: remote.lost.host)
                let recovered = try await running.fleet.recover(remote.name, method: .reimage)
                #expect(recovered.result == .businessReady, "\(remote.lost.loss): \(recovered)")
            }
            try await running.close()
        }
    }
}
