import Foundation
import Hummingbird
import DeviceProtocol
import LabStore

extension BootEndpoint {
    func addBootRoutes(to router: Router<BasicRequestContext>) {
        // The bootstrap script a DHCP boot file points at.
        router.get("/boot.ipxe") { _, _ in
            Self.script(self.templates.boot)
        }
        // The per-device script, chosen by the device's lifecycle state. A lab device is matched
        // in memory and, once the store holds every device's boot status in memory, answered on
        // the spot; the rest (loading the statuses, recording an unknown device or a conflict)
        // waits for the store off the event loop.
        router.get("/ipxe") { request, _ in
            let firmware = try FirmwareQuery(request)
            if case .device(let device) = firmware.match(with: self.matcher),
               let status = self.lab.store.recordBootInMemory(of: device.name, identity: firmware.text, at: self.clock()) {
                return try self.deviceScript(for: device, status: status, request)
            }
            return try await Offload.run { try self.deviceScript(for: firmware, request) }
        }
    }

    /// What iPXE sent about the machine: `/ipxe?serial=&uuid=&mac=&manufacturer=&product=...`.
    struct FirmwareQuery {
        let mac: String?, uuid: String?, serial: String?, manufacturer: String?, product: String?
        /// The query as sent, recorded as the device's boot identity.
        let text: String

        init(_ request: Request) throws {
            let query = request.uri.queryParameters
            func value(_ key: String) -> String? { query[Substring(key)].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
            (mac, uuid, serial) = (value("mac"), value("uuid"), value("serial"))
            (manufacturer, product) = (value("manufacturer"), value("product"))
            text = request.uri.query ?? ""
            guard mac != nil || uuid != nil || serial != nil else {
                throw APIError.badRequest("identify the device with at least one of mac, uuid or serial (see /boot.ipxe)")
            }
        }

        func match(with matcher: DeviceMatcher) -> DeviceMatcher.Match {
            matcher.match(mac: mac, uuid: uuid, serial: serial, manufacturer: manufacturer, product: product)
        }
    }

    /// The script for any machine: a lab device's own, or the one telling an unknown machine
    /// (recorded for discovery) or a conflicting identity (recorded) why it gets nothing.
    func deviceScript(for firmware: FirmwareQuery, _ request: Request) throws -> Response {
        let now = clock()
        var unknown = ["lab": lab.topology.lab, "serial": firmware.serial ?? "(none)",
                       "manufacturer": firmware.manufacturer ?? "(none)", "product": firmware.product ?? "(none)",
                       "mac": firmware.mac ?? "(none)", "uuid": firmware.uuid ?? "(none)"]
        switch firmware.match(with: matcher) {
        case .device(let device):
            let status = try lab.store.recordBoot(of: device.name, identity: firmware.text, at: now)
            return try deviceScript(for: device, status: status, request)
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
        return Self.script(IPXETemplates.render(templates.unknown, unknown))
    }

    /// A lab device's script: OOBE or its desktop, by its lifecycle state, with this boot counted
    /// (`status` nil: the store does not have the device).
    func deviceScript(for device: LabDeviceRecord, status: DeviceBootStatus?, _ request: Request) throws -> Response {
        guard let status else { throw APIError.notFound("no lab device named '\(device.name)'") }
        let mode = status.lifecycle.bootMode
        metrics.bootScripts(mode: mode.rawValue)
        return Self.script(IPXETemplates.render(mode == .desktop ? templates.desktop : templates.oobe, [
            "device": device.name, "serial": device.serial, "lifecycle": status.lifecycle.rawValue,
            "boot": String(status.bootCount), "base": baseURL(of: request), "token": device.token,
            "tpm": modelTPM[device.model] ?? "2.0", "scale": String(lab.topology.timing.scale),
        ]))
    }

    /// The URL the device used to reach us (from its Host header), so a VM gets
    /// `http://10.0.2.2:PORT` and a local agent `http://127.0.0.1:PORT`. Anything that is not a
    /// plain host and port is ignored, so a header cannot inject script text.
    func baseURL(of request: Request) -> String {
        if let host = request.head.authority, host.utf8.count <= 255, host.utf8.allSatisfy({ byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"): true
            default: false
            }
        }) {
            return "http://\(host)"
        }
        let host = options.host.contains(":") ? "[\(options.host)]" : options.host
        return "http://\(host):\(options.port)"
    }

    static func script(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
