import ArgumentParser
import Foundation
import LabController
import LabRunner
import LabService
import LabFiles

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

    /// How to run a lab.
    func options(for labFile: LabFile) throws -> RunningLab.Options {
        let real = uri.map { !EmbeddedHost.isEmbedded($0) }
            ?? labFile.devices.contains { !EmbeddedHost.isEmbedded(labFile.host(of: $0).uri) }
        return RunningLab.Options(imagesDirectory: try ImagesFolder.locate(images),
                                  timing: scale.map { LabTiming(scale: $0, jitter: labFile.timing.jitter) },
                                  uriOverride: uri, realDeviceTimeout: vmTimeout,
                                  endpointPort: port ?? (real ? Lab.defaultEndpointPort : nil))
    }
}
