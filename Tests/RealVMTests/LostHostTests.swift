import Foundation
import Testing
import DeviceProtocol
import LabController
import LabService
@testable import LabRunner
import LabFiles
import TestSupport

/// A libvirt host goes silent in the middle of a run over two hosts (its network cut: libvirt
/// notices through its unanswered keepalives): its device fails within the keepalive window and
/// the link's grace, naming the host and the phase it was in; the device on the other host
/// finishes; once the network is back, the usual recovery flow brings the lost host's device to
/// business-ready.
@Suite("a libvirt host lost in the middle of a run", .needs(.libvirtQEMU, .guestImage, .netnsHost))
struct LostHostTests {
    @Test func itsDeviceFailsNamingItTheOtherFinishesAndRecoveryWorksOnceItIsBack() async throws {
        try await withNetnsLibvirtHost(name: "pxl-lost", index: 3) { remote in
            let tag = "lh" + UUID().uuidString.prefix(6).lowercased()
            let labFile = try LabFile.parse("""
                lab: \(tag)
                hosts:
                  local: qemu:///system
                  rack3: \(remote.uri)
                timing: { scale: 0.25 }
                tenant: { domain: contoso.onmicrosoft.com }
                models:
                  mini: { manufacturer: LENOVO, product: 11T3S0JR00, memory: 512, firmware: bios, tpm: "2.0" }
                fleet:
                  - { model: mini, name: \(tag)-here, serial: "\(tag.uppercased())01", groupTag: Sales }
                  - { model: mini, name: \(tag)-there, host: rack3, serial: "\(tag.uppercased())02", groupTag: Sales }
                groups:
                  - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
                profiles:
                  - { displayName: Sales, outOfBoxExperienceSettings: { hideEULA: true, hidePrivacySettings: true, skipKeyboardSelectionPage: true }, assignments: [Sales] }
                esp:
                  - { displayName: Sales ESP, selectedMobileAppIds: [Portal] }
                apps:
                  - { displayName: Portal, installTime: 40s }
                """, file: "lost-host.yaml")
            try await withRealVMLab(labFile, folder: "pxelab-lost-host") { running in
                let (here, there) = ("\(tag)-here", "\(tag)-there")
                // The second host's network goes silent once its device has started its ESP.
                let events = running.lab.store.feed.subscribe(device: there)
                async let local = running.fleet.deploy(here)
                async let lost = running.fleet.deploy(there)
                for await event in events where event.phase == .espDeviceSetup && event.status == .started {
                    try remote.cutNetwork()
                    break
                }
                let (finished, failed) = try await (local, lost)
                #expect(finished.result == .businessReady, "\(finished)")
                #expect(failed.result == .failed, "\(failed)")
                let message = failed.message ?? ""
                #expect(message.contains(remote.uri) && message.contains("esp-device-setup"), "\(message)")
                #expect(failed.phases.last == .espDeviceSetup, "\(failed.phases)")

                try remote.mendNetwork()
                let recovered = try await running.fleet.recover(there, method: .reimage)
                #expect(recovered.result == .businessReady, "\(recovered)")
                try await running.close()
            }
        }
    }
}
