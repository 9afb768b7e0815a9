import Foundation
import HTTPTypes
import LabFiles
import LabService
import NIOCore
import PipelineAnswers

/// Systems kept as rendered while nothing they show changes: Metal3 and Ironic poll every
/// system's power state, and a poll of an unchanged system sends the bytes kept from its last
/// rendering. A GET whose answer is kept and needs nothing awaited (credentials seen before, the
/// power state kept since libvirt last said) is answered in the channel pipeline, before
/// Hummingbird's router (``answerInPipeline(_:)``); the router answers the rest the same way.
extension RedfishService {
    /// What a system reads from: kept as rendered while none of it changes.
    struct SystemStamp: Equatable, Sendable {
        let on: Bool?
        let boot: BootOverride
        let store: StoreStamp
    }

    /// A system as rendered, with the headers a GET of it sends.
    struct KeptSystem: Sendable {
        let rendered: Reply.Rendered
        let headers: HTTPFields
    }

    /// A system's GET: its kept rendition, or a new one kept.
    func keptSystem(_ device: LabDevice) async throws -> Reply {
        // Read before rendering: a change in between renders again at the next request.
        let on = try await isPoweredOn(device)
        let boot = try lab.bootOverride(of: device.name)
        let stamp = try systemStamp(on: on, boot: boot)
        if let stamp, let kept = renderedSystems.rendition(device.name, stamp: stamp) {
            var reply = Reply(nil, allow: Self.systemMethods)
            reply.kept = kept.rendered
            return reply
        }
        var reply = try await systemReply(device, on: on, boot: boot)
        reply.kept = reply.rendered()
        if let stamp, let kept = reply.kept {
            renderedSystems.keep(KeptSystem(rendered: kept, headers: Reply.headers(of: kept, allow: Self.systemMethods)), for: device.name,
                                 stamp: stamp)
        }
        return reply
    }

    /// What a system is rendered from now, given its power state and boot override as read;
    /// nil for a store in memory (nothing is kept).
    func systemStamp(on: Bool?, boot: BootOverride) throws -> SystemStamp? {
        try lab.autopilot.storeStamp().map { SystemStamp(on: on, boot: boot, store: $0) }
    }

    static let systemMethods: [HTTPRequest.Method] = [.get, .head, .patch]

    /// `GET /redfish/v1/Systems/{id}` answered at once, as the router would: credentials known
    /// without bcrypt, the power state kept, and the system's rendition still true. Nil for
    /// anything else, which the router answers (and refuses, where it must).
    func answerInPipeline(_ request: HTTPRequest) -> PipelineAnswer? {
        guard request.method == .get, let id = Self.systemID(inPath: request.path),
              let device = devicesByUUID[id.lowercased()] ?? devicesByName[String(id)] else { return nil }
        let headers = request.headerFields
        if let version = headers[RedfishHeaders.odataVersion], version.trimmingCharacters(in: .whitespaces) != "4.0" { return nil }
        guard headers[.ifNoneMatch] == nil, knownCaller(headers) != nil else { return nil }
        let on: Bool?
        if let fleet {
            guard let kept = fleet.keptPowerState(of: device) else { return nil }
            on = kept
        } else {
            on = nil
        }
        guard let boot = try? lab.bootOverride(of: device.name), let stamp = try? systemStamp(on: on, boot: boot),
              let kept = renderedSystems.rendition(device.name, stamp: stamp) else { return nil }
        return PipelineAnswer(route: "/redfish/v1/Systems/{id}", headerFields: kept.headers, body: kept.rendered.bytes)
    }

    /// The `{id}` of `/redfish/v1/Systems/{id}` (a trailing slash too); nil for any other path,
    /// or one with a query or an escape (the router decodes those).
    static func systemID(inPath path: String?) -> Substring? {
        // Bytes, not characters: this runs for every request the service reads.
        guard let path, path.utf8.starts(with: systemsPrefix) else { return nil }
        var id = path.utf8.dropFirst(systemsPrefix.count)
        if id.last == UInt8(ascii: "/") { id = id.dropLast() }
        guard !id.isEmpty, !id.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "%") }) else {
            return nil
        }
        return Substring(id)
    }

    private static let systemsPrefix = Array("/redfish/v1/Systems/".utf8)
}
