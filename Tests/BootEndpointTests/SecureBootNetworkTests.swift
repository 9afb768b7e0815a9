import Foundation
import Testing
import BootEndpoint
import LabService
import TestSupport

/// Secure Boot's network path at the endpoint: the signed chain laid out for QEMU's TFTP server,
/// and GRUB's questions answered over the endpoint's own TFTP server (UDP, the endpoint's port),
/// fetched here with atftp as GRUB would fetch them.
@Suite("Secure Boot's network path: the signed chain and the device's GRUB step over TFTP", .needs(.secureBoot, .tftpClients))
struct SecureBootNetworkTests {
    /// Images with the boot templates and a kernel of known bytes.
    func images() throws -> (URL, Data) {
        let root = makeTemporaryDirectory("pxelab-images")
        for loader in ["ipxe", "grub"] {
            try FileManager.default.copyItem(at: repositoryImages.appendingPathComponent(loader), to: root.appendingPathComponent(loader))
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("build"), withIntermediateDirectories: true)
        let kernel = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try kernel.write(to: root.appendingPathComponent("build/vmlinuz"))
        return (root, kernel)
    }

    /// A file fetched over TFTP by atftp (with blksize and tsize, as GRUB asks), or nil when refused.
    func fetch(_ name: String, port: Int, at address: String = "127.0.0.1") async throws -> Data? {
        let out = makeTemporaryDirectory("pxelab-tftp-get").appendingPathComponent("file")
        let status = try await onThreadOfItsOwn {
            try runTool("/usr/bin/atftp", ["--option", "blksize 1024", "--option", "tsize 0", "--get", "-r", name, "-l", out.path,
                                           address, String(port)])
        }
        return status == 0 ? try Data(contentsOf: out) : nil
    }

    @Test func grubAsksForTheDevicesStepByItsSerialAndGetsItByItsLifecycle() async throws {
        let (images, kernel) = try images()
        let running = try await RunningEndpoint.start(images: images, secureBootNetwork: true)
        let port = running.port
        let lab = running.endpoint.lab
        // The chain QEMU's TFTP server gives the firmware: shim, the signed GRUB, its bootstrap
        // pointing at this endpoint's port.
        let folder = lab.directory.tftp
        for file in ["shimx64.efi", "grubx64.efi"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path))
        }
        let bootstrap = try String(contentsOf: folder.appendingPathComponent("grub/grub.cfg"), encoding: .utf8)
        #expect(bootstrap.contains("source \"(tftp,10.0.2.2:\(port))/grub/device?serial=${serial}&"))

        // A lab device: its step, by lifecycle, with its token; the boot is counted, and its path.
        let step = try #require(try await fetch("grub/device?serial=SALES-1&manufacturer=Contoso&product=Lab Laptop"
                                                + "&mac=52:54:00:00:00:01&platform=efi&loader=grub", port: port))
        let script = String(decoding: step, as: UTF8.self)
        #expect(script.contains("linux (tftp,10.0.2.2:\(port))/assets/build/vmlinuz "))
        #expect(script.contains("pxelab.endpoint=http://10.0.2.2:\(port) pxelab.device=sales-1 pxelab.token=\(try running.token(of: "sales-1"))"))
        #expect(script.contains("pxelab.mode=oobe") && script.contains("initrd (tftp,10.0.2.2:\(port))/assets/build/initrd.img"))
        try lab.store.settle()  // the boot is recorded in the background, as /ipxe's
        let summary = try #require(try lab.deviceSummaries(named: "sales-1").first)
        #expect(summary.bootCount == 1 && summary.lastBootPath == .shimGRUB && summary.lastBootClient == "127.0.0.1")
        // The kernel, as /assets/ serves it.
        #expect(try await fetch("assets/build/vmlinuz", port: port) == kernel)
        #expect(try await fetch("assets/../admin.token", port: port) == nil)

        // A machine the lab does not know is told so, and a value cannot reach GRUB's script language.
        let unknown = String(decoding: try #require(try await fetch("grub/device?serial=EVIL$(reboot)\"x&platform=efi", port: port)),
                             as: UTF8.self)
        #expect(unknown.contains("pxelab: serial EVIL_(reboot)_x, manufacturer (none)") && unknown.contains("\nhalt\n"))
        let metrics = try await running.client.get("/metrics").text
        #expect(metrics.contains("pxelab_tftp_transfers_total{file=\"step\",outcome=\"completed\"} 2"))
        #expect(metrics.contains("pxelab_tftp_sent_bytes{file=\"vmlinuz\"} \(kernel.count)"))
        try await running.stop()
    }

    /// Another libvirt host's Secure Boot VMs reach the endpoint at the controller's address
    /// towards that host: their chain names it, and the endpoint's TFTP server answers there.
    @Test func anotherHostsVMsGetTheChainAndTheirStepsAtTheAddressTheyReachTheEndpointAt() async throws {
        let (images, _) = try images()
        // 127.0.0.2 stands for the controller's address towards another host; 127.0.0.3 for one
        // towards a host behind a NAT, whose VMs reach the controller at 198.18.0.77.
        let running = try await RunningEndpoint.start(images: images, secureBootNetwork: true, alsoListenOn: ["127.0.0.2", "127.0.0.3"],
                                                      guestAddresses: ["127.0.0.3": "198.18.0.77"])
        let port = running.port
        let directory = running.endpoint.lab.directory
        for guest in ["10.0.2.2", "127.0.0.2", "198.18.0.77"] {
            let folder = directory.tftp(reachingEndpointAt: guest)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("shimx64.efi").path), "\(folder.path)")
            let bootstrap = try String(contentsOf: folder.appendingPathComponent("grub/grub.cfg"), encoding: .utf8)
            #expect(bootstrap.contains("source \"(tftp,\(guest):\(port))/grub/device?serial=${serial}&"), "\(folder.path)")
        }
        #expect(directory.tftp(reachingEndpointAt: "10.0.2.2") == directory.tftp)
        // The step asked at each address names the endpoint as the VMs asking there reach it.
        for (listen, guest) in [("127.0.0.1", "10.0.2.2"), ("127.0.0.2", "127.0.0.2"), ("127.0.0.3", "198.18.0.77")] {
            let step = try #require(try await fetch("grub/device?serial=SALES-1&manufacturer=Contoso&product=Lab Laptop"
                                                    + "&mac=52:54:00:00:00:01&platform=efi&loader=grub", port: port, at: listen))
            let script = String(decoding: step, as: UTF8.self)
            #expect(script.contains("linux (tftp,\(guest):\(port))/assets/build/vmlinuz "), "\(listen): \(script)")
            #expect(script.contains("pxelab.endpoint=http://\(guest):\(port) "), "\(listen): \(script)")
        }
        try await running.stop()
    }

    @Test func aPortWhoseUDPNumberIsTakenIsRefusedNamingItAndLeavesTheTCPPortFree() async throws {
        let (images, _) = try images()
        // A UDP socket holds a port (the kernel's pick), which the endpoint is then told to use.
        let holder = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(holder >= 0)
        // Closed once: a second close would close whichever descriptor took its number since.
        var holding = true
        defer { if holding { close(holder) } }
        try #require(IPv4SocketAddress(host: "127.0.0.1", port: 0).withSockaddr { bind(holder, $0, $1) } == 0)
        let port = try #require(IPv4SocketAddress.port(boundTo: holder))
        do {
            let running = try await RunningEndpoint.start(images: images, port: port, secureBootNetwork: true)
            try await running.stop()
            Issue.record("the endpoint started on \(port), whose UDP number is taken")
        } catch let error as EndpointSetupError {
            #expect(error.description == "Secure Boot's network path cannot be served: UDP port \(port) is in use", "\(error)")
        }
        // What it had bound (TCP) it let go of: it starts there once the UDP number is free.
        close(holder)
        holding = false
        let running = try await RunningEndpoint.start(images: images, port: port, secureBootNetwork: true)
        #expect(running.port == port)
        try await running.stop()
    }
}
