import ArgumentParser
import BootEndpoint
import Foundation
import LabFiles
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

    @Option(help: """
        An address to listen on (default 127.0.0.1); repeat it for several, each on the same port (the \
        controller's address towards each libvirt host whose VMs boot from it). Anything but loopback \
        exposes the lab to the network.
        """)
    var listen: [String] = []

    @Option(help: "The Images folder with the iPXE templates (default: ./Images, or the one next to pxelab's sources).")
    var images: String?

    @OptionGroup var redfish: RedfishOptions

    @OptionGroup(title: "Connection limits") var connectionLimits: ConnectionLimitOptions

    func run() async throws {
        let limits = connectionLimits.limits
        var redfishOptions = redfish.server
        redfishOptions.connectionLimits = limits
        let addresses = listen.isEmpty ? ["127.0.0.1"] : listen
        let (selection, port, images) = (selection, port, images)
        let (lab, endpoint, redfish) = try await Offload.run { [redfishOptions] in
            let lab = try selection.open()
            var options = BootEndpoint.Options(host: addresses[0], port: port, imagesDirectory: try ImagesFolder.locate(images),
                                               connectionLimits: limits)
            options.alsoListenOn = Array(addresses.dropFirst())
            // Served with no devices hosted: systems read, power actions refused (`pxelab run --keep` hosts them).
            let endpoint = try BootEndpoint(lab: lab, options: options)
            var redfishOptions = redfishOptions
            redfishOptions.connectionObserver = endpoint.redfishConnections
            return (lab, endpoint, try RedfishServer(service: RedfishService(lab: lab, fleet: nil), options: redfishOptions))
        }
        // The endpoint warns of each address that is not loopback as it starts; Redfish's is said here.
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

    /// Serves until Ctrl-C or SIGTERM.
    private func serve(_ endpoint: BootEndpoint, lab: Lab, redfish: RedfishServer, redfishPort: Int) async throws {
        let server = try await endpoint.start()
        let bound = server.port
        let urls = ([endpoint.options.host] + endpoint.options.alsoListenOn).map { "http://\(urlHost($0)):\(bound)" }
        let first = urls[0]
        // Written unbuffered, so a script waiting for the port sees it at once.
        FileHandle.standardOutput.write(Data(("pxelab: lab '\(lab.labFile.lab)' serving on \(urls.joined(separator: " and ")) "
            + "(boot file: http://10.0.2.2:\(bound)/boot.ipxe for VMs)\n"
            + "pxelab: admin token in \(lab.directory.path("admin.token").path)\n"
            + "pxelab: Graph at \(first)/beta and /v1.0, token in \(lab.directory.path("graph.token").path)\n"
            + "pxelab: \(redfish.announcement(port: redfishPort, lab: lab))\n").utf8))
        await Interruption.wait(stopping: "closing the endpoint")
        try await server.stop()
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
