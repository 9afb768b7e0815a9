import ArgumentParser
import Foundation
import LabController
import LabRunner
import LabService
import LabFiles
import RedfishAPI

/// How `pxelab run` and the flow commands run a lab: on virtual devices (the embedded default) or
/// on real QEMU VMs (`--libvirt qemu:///system`), and at what speed.
struct HostOptions: ParsableArguments {
    @Option(help: "Step durations as a fraction of real ones (0 instant, 1 real time); overrides the lab file's timing.")
    var scale: Double?

    @Option(help: "The Images folder (default: ./Images, or the one next to pxelab's sources).")
    var images: String?

    @Option(name: .customLong("libvirt"),
            help: "Run every device on this libvirt URI: qemu:///system makes them real VMs that network-boot from the endpoint.")
    var uri: String?

    @Option(help: "The endpoint's loopback port (default: a free one for virtual devices, \(Lab.defaultEndpointPort) for real VMs).")
    var port: Int?

    @Option(name: .customLong("vm-timeout"), help: "Seconds a real VM may take to reach an end state in one operation.")
    var vmTimeout: Double = 600

    @OptionGroup var redfish: RedfishOptions

    /// How to run a lab.
    func options(for labFile: LabFile) throws -> RunningLab.Options {
        let real = uri.map { !EmbeddedHost.isEmbedded($0) }
            ?? labFile.devices.contains { !EmbeddedHost.isEmbedded(labFile.host(of: $0).uri) }
        return RunningLab.Options(imagesDirectory: try ImagesFolder.locate(images),
                                  timing: scale.map { LabTiming(scale: $0, jitter: labFile.timing.jitter) },
                                  uriOverride: uri, realDeviceTimeout: vmTimeout,
                                  endpointPort: port ?? (real ? Lab.defaultEndpointPort : nil),
                                  redfish: redfish.server)
    }
}

/// Where and how the Redfish service listens, for every command that serves a lab.
struct RedfishOptions: ParsableArguments {
    @Option(name: .customLong("redfish-listen"),
            help: "Where the Redfish service listens, ADDR:PORT (default 127.0.0.1:0, a free loopback port).")
    var listen = "127.0.0.1:0"

    @Flag(name: .customLong("redfish-http"), help: "Serve Redfish over plain HTTP instead of HTTPS with the lab's CA.")
    var http = false

    func validate() throws {
        guard RedfishServer.Options(listen: listen, tls: !http) != nil else {
            throw ValidationError("--redfish-listen takes ADDR:PORT (such as 127.0.0.1:8443), not '\(listen)'")
        }
    }

    var server: RedfishServer.Options { RedfishServer.Options(listen: listen, tls: !http) ?? .init() }
}

extension RedfishServer {
    /// What `pxelab` prints once the service listens: its URL, the account and the CA to trust.
    func announcement(port: Int, lab: Lab) -> String {
        "Redfish at \(url(port: port))/redfish/v1 (user admin, password in \(lab.directory.path("redfish.password").path)"
            + (authorityFile.map { "; CA certificate \($0.path)" } ?? "") + ")"
    }
}
