import Foundation
import Hummingbird
import HummingbirdCore
import DeviceProtocol
import LabFiles
import LabStore
import NIOCore
import PipelineAnswers

extension BootEndpoint {
    func addBootRoutes(to router: Router<EndpointRequestContext>) {
        // The bootstrap script a DHCP boot file points at.
        router.get("/boot.ipxe") { _, _ in
            Self.script(self.templates.ipxeBoot)
        }
        // The per-device script, chosen by the device's lifecycle state. Most requests are
        // answered from memory in the channel pipeline (`PipelineAnswerHandler`); the ones
        // that reach the router are pipelined behind another request, or must wait for the store
        // (loading the statuses, recording an unknown device or a conflict) off the event loop.
        router.get("/ipxe") { request, context in
            if let answer = self.answerInMemory(request.head, from: context.client) { return Self.script(answer.script) }
            let firmware = try FirmwareQuery(request.uri)
            let base = self.baseURL(authority: request.head.authority)
            return Self.script(try await Offload.run { try self.deviceScript(for: firmware, from: context.client, loader: .ipxe, base: base) })
        }
    }

    /// A boot-script request answered from memory, without waiting for anything: the bootstrap
    /// script, or a lab device's own script once the store holds every boot status in memory
    /// (the boot counted at once, its record committed in the background, with the `client`
    /// address it came from). Nil: the router answers it (and says what is wrong with it, if anything).
    func answerInMemory(_ request: HTTPRequest, from client: String?) -> ScriptInMemory? {
        guard let target = request.path else { return nil }
        let uri = URI(target)
        switch uri.path {
        case "/boot.ipxe":
            return .init(route: "/boot.ipxe", script: templates.ipxeBoot)
        case "/ipxe":
            guard let firmware = try? FirmwareQuery(uri), case .device(let device) = firmware.match(with: matcher),
                  case .some(.some(let status)) = lab.store.recordBootInMemory(of: device.name, identity: firmware.text, client: client, at: clock())
            else { return nil }
            return .init(route: "/ipxe", script: deviceScript(for: device, status: status, loader: .ipxe,
                                                              base: baseURL(authority: request.authority)))
        default:
            return nil
        }
    }

    /// A boot script answered from memory, and the route to count it under.
    struct ScriptInMemory {
        let route: String
        let script: String

        /// As the pipeline sends it, with the route's headers.
        var pipelineAnswer: PipelineAnswer {
            PipelineAnswer(route: route, headerFields: BootEndpoint.scriptHeaders, body: ByteBuffer(string: script))
        }
    }

    /// What the boot loader sent about the machine: `/ipxe?serial=&uuid=&mac=&manufacturer=&product=...`
    /// from iPXE, the same query in the TFTP file name GRUB asks for.
    struct FirmwareQuery {
        let mac: String?, uuid: String?, serial: String?, manufacturer: String?, product: String?
        /// The query as sent, recorded as the device's boot identity.
        let text: String

        init(_ uri: URI) throws {
            let query = uri.queryParameters
            func value(_ key: String) -> String? { query[Substring(key)].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
            (mac, uuid, serial) = (value("mac"), value("uuid"), value("serial"))
            (manufacturer, product) = (value("manufacturer"), value("product"))
            text = uri.query ?? ""
            guard mac != nil || uuid != nil || serial != nil else {
                throw APIError.badRequest("identify the device with at least one of mac, uuid or serial (see /boot.ipxe)")
            }
        }

        func match(with matcher: DeviceMatcher) -> DeviceMatcher.Match {
            matcher.match(mac: mac, uuid: uuid, serial: serial, manufacturer: manufacturer, product: product)
        }
    }

    /// The script for any machine, in its loader's language: a lab device's own, or the one
    /// telling an unknown machine (recorded for discovery) or a conflicting identity (recorded)
    /// why it gets nothing. `client` is the address the request came from, `base` the endpoint's
    /// URL as the machine reaches it.
    func deviceScript(for firmware: FirmwareQuery, from client: String?, loader: BootLoader, base: String) throws -> String {
        let now = clock()
        var unknown = ["lab": lab.labFile.lab, "serial": firmware.serial ?? "(none)",
                       "manufacturer": firmware.manufacturer ?? "(none)", "product": firmware.product ?? "(none)",
                       "mac": firmware.mac ?? "(none)", "uuid": firmware.uuid ?? "(none)"]
        switch firmware.match(with: matcher) {
        case .device(let device):
            guard let status = try lab.store.recordBoot(of: device.name, identity: firmware.text, client: client, at: now) else {
                throw APIError.notFound("no lab device named '\(device.name)'")
            }
            return deviceScript(for: device, status: status, loader: loader, base: base)
        case .conflict(let identity, let devices):
            let names = devices.map(\.name)
            try lab.store.recordConflict(identity: identity, devices: names, at: now)
            logger.error("identity conflict: \(identity) is claimed by \(names.joined(separator: ", "))")
            unknown["reason"] = "\(identity) is claimed by several lab devices (\(names.joined(separator: ", "))): a conflict, see /api/v1/conflicts"
        case .unknown:
            unknown["reason"] = "no lab device has this MAC, UUID or serial"
            let (mac, uuid, serial) = (firmware.mac, firmware.uuid, firmware.serial)
            let key = mac.map { "mac:\($0.lowercased())" } ?? uuid.map { "uuid:\($0.lowercased())" } ?? "serial:\(serial ?? "")"
            try lab.store.recordSeen(key: key, mac: mac, uuid: uuid, serial: serial, manufacturer: firmware.manufacturer,
                                     product: firmware.product, at: now)
        }
        metrics.bootScripts(mode: "unknown")
        unknown["tftp"] = tftpDevice(base: base)
        return templates.scripts(for: loader).unknown.render { unknown[$0] }
    }

    /// A lab device's script: OOBE or its desktop, by its lifecycle state, with this boot counted.
    /// The boot honours the device's boot override (a one-time one is spent here) and names it
    /// on the kernel line (`pxelab.override=Pxe-Once`), so the device's firmware event shows it.
    /// `Pxe` is this network boot: the endpoint decides by the lifecycle, as a provisioning
    /// server does (MAAS boots a deployed machine locally); `Hdd` is the system on the device's
    /// disk, Windows at OOBE or at its desktop, which is what the same script emulates.
    func deviceScript(for device: LabDeviceRecord, status: DeviceBootStatus, loader: BootLoader, base: String) -> String {
        let override = lab.spendBootOverride(of: device.name).map { "\($0.target.rawValue)-\($0.enabled.rawValue)" } ?? "none"
        let mode = status.lifecycle.bootMode
        metrics.bootScripts(mode: mode.rawValue)
        let scripts = templates.scripts(for: loader)
        return (mode == .desktop ? scripts.desktop : scripts.oobe).render { name in
            switch name {
            case "device": device.name
            case "serial": device.serial
            case "lifecycle": status.lifecycle.rawValue
            case "boot": String(status.bootCount)
            case "base": base
            case "tftp": tftpDevice(base: base)
            case "token": device.token
            case "scale": String(lab.labFile.timing.scale)
            case "override": override
            default: nil
            }
        }
    }

    /// The URL the device used to reach us (from its Host header), so a VM gets
    /// `http://10.0.2.2:PORT` and a local agent `http://127.0.0.1:PORT`. Anything that is not a
    /// plain host and port is ignored, so a header cannot inject script text.
    func baseURL(authority: String?) -> String {
        if let host = authority, host.utf8.count <= 255, host.utf8.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"): true
            default: false
            }
        }) {
            return "http://\(host)"
        }
        return "http://\(urlHost(options.host)):\(options.port)"
    }

    /// The GRUB device naming pxelab's TFTP server, which listens on the endpoint's port (UDP):
    /// `(tftp,10.0.2.2:7480)` for `http://10.0.2.2:7480`.
    func tftpDevice(base: String) -> String {
        "(tftp,\(base.dropFirst("http://".count)))"
    }

    static let scriptHeaders: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]

    static func script(_ text: String) -> Response {
        Response(status: .ok, headers: scriptHeaders, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
