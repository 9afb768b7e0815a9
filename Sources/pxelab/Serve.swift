import ArgumentParser
import BootEndpoint
import Foundation
import LabService
import LabStore
import RedfishAPI

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the lab's HTTP endpoint: boot scripts, Autopilot profiles, device events, admin API.",
        discussion: """
        Devices network-boot from http://HOST:PORT/boot.ipxe (VMs reach the host as 10.0.2.2), which \
        chains to each device's own script chosen by its lifecycle state. The admin API under /api/v1 \
        needs the bearer token written to .pxelab/<lab>/admin.token on first start. The endpoint's \
        OpenAPI description is at /openapi.yaml, Prometheus metrics at /metrics. Stop with Ctrl-C.
        """
    )

    @OptionGroup var selection: LabSelection

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = Lab.defaultEndpointPort

    @Option(help: "The address to listen on. Anything but loopback exposes the lab to the network.")
    var listen = "127.0.0.1"

    @Option(help: "The Images folder with the iPXE templates (default: ./Images, or the one next to pxelab's sources).")
    var images: String?

    @OptionGroup var redfish: RedfishOptions

    @OptionGroup(title: "Connection limits") var connectionLimits: ConnectionLimitOptions

    func run() async throws {
        let limits = connectionLimits.limits
        var redfishOptions = redfish.server
        redfishOptions.connectionLimits = limits
        let (selection, listen, port, images) = (selection, listen, port, images)
        let (lab, endpoint, redfish) = try await Offload.run { [redfishOptions] in
            let lab = try selection.open()
            // Served with no devices hosted: systems read, power actions refused (`pxelab run --keep` hosts them).
            return (lab, try BootEndpoint(lab: lab, options: .init(host: listen, port: port, imagesDirectory: try ImagesFolder.locate(images),
                                                                   connectionLimits: limits)),
                    try RedfishServer(service: RedfishService(lab: lab, fleet: nil), options: redfishOptions))
        }
        if !endpoint.options.isLoopback {
            printError("warning: listening on \(listen), not loopback: the lab is reachable from the network")
        }
        if !redfishOptions.isLoopback {
            printError("warning: Redfish listening on \(redfishOptions.host), not loopback: the lab's systems are reachable from the network")
        }
        let redfishPort = try await redfish.start()
        do {
            try await serve(endpoint, lab: lab, redfish: redfish, redfishPort: redfishPort)
        } catch {
            await redfish.stop()
            throw error
        }
        await redfish.stop()
    }

    private func serve(_ endpoint: BootEndpoint, lab: Lab, redfish: RedfishServer, redfishPort: Int) async throws {
        try await endpoint.run { bound in
            // Written unbuffered, so a script waiting for the port sees it at once.
            FileHandle.standardOutput.write(Data(("pxelab: lab '\(lab.labFile.lab)' serving on http://\(listen):\(bound) "
                + "(boot file: http://10.0.2.2:\(bound)/boot.ipxe for VMs)\n"
                + "pxelab: admin token in \(lab.directory.path("admin.token").path)\n"
                + "pxelab: Graph at http://\(listen):\(bound)/beta and /v1.0, token in \(lab.directory.path("graph.token").path)\n"
                + "pxelab: \(redfish.announcement(port: redfishPort, lab: lab))\n").utf8))
        }
    }
}

/// Finds the `Images/` folder: the one given, `./Images`, or the one in the source tree pxelab
/// was built from (`.build/<config>/pxelab` sits two levels below it).
enum ImagesFolder {
    static func locate(_ given: String?) throws -> URL {
        if let given { return URL(fileURLWithPath: given, isDirectory: true) }
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Images"),
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
                .appendingPathComponent("../../../Images").standardizedFileURL,
        ]
        guard let found = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("ipxe/boot.ipxe").path)
        }) else {
            throw ValidationError("cannot find the Images folder (with ipxe/boot.ipxe); give it with --images")
        }
        return found
    }
}
