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
        // The per-device script, chosen by the device's lifecycle state.
        router.get("/ipxe") { request, _ in
            try await Offload.run { try self.deviceScript(for: request) }
        }
    }

    func deviceScript(for request: Request) throws -> Response {
        let query = request.uri.queryParameters
        func value(_ key: String) -> String? { query[Substring(key)].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } }
        let (mac, uuid, serial) = (value("mac"), value("uuid"), value("serial"))
        let (manufacturer, product) = (value("manufacturer"), value("product"))
        guard mac != nil || uuid != nil || serial != nil else {
            throw APIError.badRequest("identify the device with at least one of mac, uuid or serial (see /boot.ipxe)")
        }
        let now = clock()
        var unknown = ["lab": lab.topology.lab, "serial": serial ?? "(none)", "manufacturer": manufacturer ?? "(none)",
                       "product": product ?? "(none)", "mac": mac ?? "(none)", "uuid": uuid ?? "(none)"]
        switch matcher.match(mac: mac, uuid: uuid, serial: serial, manufacturer: manufacturer, product: product) {
        case .device(let device):
            guard let status = try lab.store.recordBoot(of: device.name, identity: request.uri.query ?? "", at: now) else {
                throw APIError.notFound("no lab device named '\(device.name)'")
            }
            let template = status.lifecycle.bootMode == .desktop ? templates.desktop : templates.oobe
            metrics.bootScripts(mode: status.lifecycle.bootMode.rawValue)
            let model = lab.topology.models.first { $0.id == device.model }
            return Self.script(IPXETemplates.render(template, [
                "device": device.name, "serial": device.serial, "lifecycle": status.lifecycle.rawValue,
                "boot": String(status.bootCount), "base": baseURL(of: request), "token": device.token,
                "tpm": model?.tpm.rawValue ?? "2.0", "scale": String(lab.topology.timing.scale),
            ]))
        case .conflict(let identity, let devices):
            let names = devices.map(\.name)
            try lab.store.recordConflict(identity: identity, devices: names, at: now)
            logger.error("identity conflict: \(identity) is claimed by \(names.joined(separator: ", "))")
            unknown["reason"] = "\(identity) is claimed by several lab devices (\(names.joined(separator: ", "))): a conflict, see /api/v1/conflicts"
        case .unknown:
            unknown["reason"] = "no lab device has this MAC, UUID or serial"
            let key = mac.map { "mac:\($0.lowercased())" } ?? uuid.map { "uuid:\($0.lowercased())" } ?? "serial:\(serial ?? "")"
            try lab.store.recordSeen(key: key, mac: mac, uuid: uuid, serial: serial, manufacturer: manufacturer,
                                     product: product, at: now)
        }
        metrics.bootScripts(mode: "unknown")
        return Self.script(IPXETemplates.render(templates.unknown, unknown))
    }

    /// The URL the device used to reach us (from its Host header), so a VM gets
    /// `http://10.0.2.2:PORT` and a local agent `http://127.0.0.1:PORT`. Anything that is not a
    /// plain host and port is ignored, so a header cannot inject script text.
    func baseURL(of request: Request) -> String {
        if let host = request.head.authority, host.count <= 255,
           host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }) {
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
