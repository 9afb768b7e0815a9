import Foundation
import Hummingbird
import NIOCore
import Autopilot
import DeviceIdentity
import LabService
import LabStore

/// `deviceManagement/windowsAutopilotDeviceIdentities`: the tenant's Autopilot registrations.
/// Listed in pages of at most 1,000 (ordered by id, so a `$skiptoken`, the last id of a page,
/// goes on where the page ended however the list changes), filtered, selected, expanded; deleted;
/// changed through `updateDeviceProperties`, `assignUserToDevice` and `unassignUserFromDevice`.
extension GraphController {
    static let identities = "deviceManagement/windowsAutopilotDeviceIdentities"

    /// The properties `$filter` may read, lowercased.
    static let filterable: Set<String> = ["id", "serialnumber", "grouptag", "displayname", "manufacturer", "model",
                                          "userprincipalname", "purchaseorderidentifier", "enrollmentstate",
                                          "deploymentprofileassignmentstatus", "productkey"]

    func autopilotDeviceIdentities(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        let service = lab.autopilot
        switch request.method {
        case .get where path.match(Self.identities) != nil:
            return try await list(request)
        case .get:
            guard let id = path.match(Self.identities + "/{}")?.first else { return nil }
            let state = try await Offload.run { () throws -> RegistrationState? in
                guard let registration = try service.registration(id: id.lowercased()) else { return nil }
                return try service.states(of: [registration]).first
            }
            guard let state else { throw Self.noIdentity(id) }
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context(Self.identities + "/$entity"))
                Self.write(state, version: path.version, expand: request.query.expand, into: &object)
            })
        case .delete:
            guard let id = path.match(Self.identities + "/{}")?.first else { return nil }
            try await Offload.run {
                guard let registration = try service.registration(id: id.lowercased()) else { throw Self.noIdentity(id) }
                try service.deregister(serial: registration.serialNumber)
            }
            return GraphResponse.noContent
        case .post:
            guard let keys = path.match(Self.identities + "/{}/{}"), let action = keys.last?.lowercased() else { return nil }
            let id = keys[0]
            let body = try request.parsedBody()
            let update: AutopilotService.RegistrationUpdate
            switch action {
            case "updatedeviceproperties":
                if let unknown = body.unknownFields(["userPrincipalName", "addressableUserName", "displayName", "groupTag",
                                                     "deviceAccountUpn", "deviceAccountPassword", "deviceFriendlyName"]).first {
                    throw GraphError.badRequest("The property '\(unknown)' does not exist on type 'microsoft.graph.windowsAutopilotDeviceIdentity'.")
                }
                update = .init(groupTag: try body.string("groupTag"), assignedUser: try body.string("userPrincipalName"),
                               addressableUserName: try body.string("addressableUserName"), displayName: try body.string("displayName"))
            case "assigntodevice", "assignusertodevice":
                guard let user = try body.string("userPrincipalName"), !user.isEmpty else {
                    throw GraphError.badRequest("userPrincipalName is required.")
                }
                update = .init(assignedUser: user, addressableUserName: try body.string("addressableUserName") ?? "")
            case "unassignuserfromdevice":
                update = .init(assignedUser: "", addressableUserName: "")
            default:
                throw GraphError.segment(keys[1])
            }
            try await Offload.run {
                guard let registration = try service.registration(id: id.lowercased()) else { throw Self.noIdentity(id) }
                try service.update(serial: registration.serialNumber, update)
            }
            return GraphResponse.noContent
        default:
            return nil
        }
    }

    static func noIdentity(_ id: String) -> GraphError {
        .notFound("The windowsAutopilotDeviceIdentity with id '\(id)' was not found.")
    }

    /// A page of the list.
    func list(_ request: GraphRequest) async throws -> Response {
        let query = request.query
        if let filter = query.filter {
            for (property, term) in filter.terms {
                guard Self.filterable.contains(property) else {
                    throw GraphError.badRequest("Could not find a property named '\(property)' on type 'microsoft.graph.windowsAutopilotDeviceIdentity'.")
                }
                // Intune's own refusals, which clients fall back from.
                if property == "serialnumber", case .compare(_, .eq, _) = term {
                    throw GraphError.badRequest("Filtering on serialNumber with 'eq' is not supported; use contains(serialNumber,'...').")
                }
                if property == "serialnumber", case .function(.contains, _, let value) = term, value.contains("-") {
                    throw GraphError.badRequest("The serial number filter value '\(value)' is not valid.")
                }
            }
        }
        let after = try query.skipToken.map(Self.lastID(inSkipToken:))
        let size = query.pageSize
        let service = lab.autopilot
        let (pages, key, clock) = (renderedPages, request.base + request.uri, clock)
        let body = try await Offload.run { () throws -> ByteBuffer in
            try service.processDueImports()
            let stamp = try service.storeStamp()
            if let stamp, let kept = pages.rendition(key, stamp: stamp, at: clock()) { return kept }
            let (states, total, more, read) = try Self.page(request, service: service, after: after, size: size)
            let version = request.path.version
            let body = ByteBuffer(bytes: Self.pageJSON(request, set: Self.identities, states, total: total, more: more,
                                                       id: \.registration.id) { object, state in
                Self.write(state, version: version, expand: query.expand, into: &object)
            }.bytes)
            if let stamp {
                pages.keep(body, for: key, stamp: stamp,
                           validUntil: Self.firstChange(of: read, delaySeconds: service.configuration.assignmentDelaySeconds, after: clock()))
            }
            return body
        }
        return GraphResponse.json(body)
    }

    /// The page's states, how many match, whether more follow, and every state the page was
    /// built from (a filter on assignment status reads them all).
    static func page(_ request: GraphRequest, service: AutopilotService, after: String?, size: Int) throws
        -> (states: [RegistrationState], total: Int, more: Bool, read: [RegistrationState]) {
        guard let filter = request.query.filter else {
            // Without a filter the store reads the page by its key: no scan of the registry.
            let (states, total) = try service.registrationPage(after: after, limit: size + 1)
            return (Array(states.prefix(size)), total, states.count > size, states)
        }
        var registrations = try service.registrations()
        registrations.sort { $0.id < $1.id }
        // Assignment and enrollment are read only when the filter asks for them.
        let needsState = filter.terms.contains { ["enrollmentstate", "deploymentprofileassignmentstatus"].contains($0.property) }
        let all = needsState ? try service.states(of: registrations) : []
        let states = Dictionary(uniqueKeysWithValues: all.map { ($0.registration.id, $0) })
        let matching = registrations.filter { registration in
            filter.matches { property($0, of: registration, state: states[registration.id]) }
        }
        let (page, more) = keysetPage(matching, id: \.id, after: after, size: size)
        // States the filter needed are read once.
        let pageStates = needsState ? page.compactMap { states[$0.id] } : try service.states(of: Array(page))
        return (pageStates, matching.count, more, needsState ? all : pageStates)
    }

    /// When the first of these states reads differently by the clock alone: a device's
    /// assignment becoming assigned once the delay has passed (a fault keeping it assigning for
    /// good changes nothing by the clock).
    static func firstChange(of states: [RegistrationState], delaySeconds: Double, after now: Date) -> Date {
        states.reduce(Date.distantFuture) { first, state in
            guard state.assignmentStatus == .assigning, case let end = state.assignment.since.addingTimeInterval(delaySeconds), end > now else {
                return first
            }
            return min(first, end)
        }
    }

    /// A skip token is the page's last id, opaque to clients.
    static func skipToken(after id: String) -> String { GraphToken.base64URL("LastItemId=\(id)") }

    static func lastID(inSkipToken token: String) throws -> String {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              text.hasPrefix("LastItemId=") else {
            throw GraphError.badRequest("The $skiptoken '\(token)' is not valid.")
        }
        return String(text.dropFirst("LastItemId=".count))
    }

    /// A property `$filter` reads, as Graph writes it.
    static func property(_ name: String, of registration: RegisteredDevice, state: RegistrationState?) -> String? {
        switch name {
        case "id": registration.id
        case "serialnumber": registration.serialNumber
        case "grouptag": registration.groupTag ?? ""
        case "displayname": registration.displayName ?? ""
        case "manufacturer": registration.manufacturer ?? ""
        case "model": registration.model ?? ""
        case "userprincipalname": registration.assignedUser ?? ""
        case "purchaseorderidentifier": registration.purchaseOrderIdentifier ?? ""
        case "productkey": registration.productKey
        case "enrollmentstate": state.map(enrollmentState)
        case "deploymentprofileassignmentstatus": state.map { assignmentStatus($0.assignmentStatus) }
        default: nil
        }
    }

    static func enrollmentState(_ state: RegistrationState) -> String { state.enrollment == nil ? "notContacted" : "enrolled" }

    static func assignmentStatus(_ status: ProfileAssignment.Status) -> String {
        switch status {
        case .notAssigned: "notAssigned"
        case .assigning: "pending"
        case .assigned: "assignedInSync"
        }
    }

    static let noID = "00000000-0000-0000-0000-000000000000"

    /// The id of the Entra device object Autopilot makes for a registration.
    static func entraDeviceID(of registration: String) -> String {
        IdentifierAllocator.stableUUID("entra-device", registration).uuidString.lowercased()
    }

    /// A `windowsAutopilotDeviceIdentity`: v1.0's fields, and beta's besides on beta. Empty
    /// texts are `""`, as the real service sends them.
    static func write(_ state: RegistrationState, version: ODataPath.Version, expand: Set<String>, into object: inout ObjectWriter) {
        let registration = state.registration
        let entraDevice = entraDeviceID(of: registration.id)
        object.field("id", registration.id)
        object.field("groupTag", registration.groupTag ?? "")
        object.field("purchaseOrderIdentifier", registration.purchaseOrderIdentifier ?? "")
        object.field("serialNumber", registration.serialNumber)
        object.field("productKey", registration.productKey)
        object.field("manufacturer", registration.manufacturer ?? "")
        object.field("model", registration.model ?? "")
        object.field("enrollmentState", enrollmentState(state))
        object.field("lastContactedDateTime", state.enrollment.map { GraphJSON.dateTime($0.enrolledAt) } ?? GraphJSON.never)
        object.field("addressableUserName", registration.addressableUserName ?? "")
        object.field("userPrincipalName", registration.assignedUser ?? "")
        object.field("resourceName", "")
        object.field("skuNumber", "")
        object.field("systemFamily", "")
        object.field("azureActiveDirectoryDeviceId", entraDevice)
        object.field("managedDeviceId", state.enrollment?.mdmDeviceId ?? noID)
        object.field("displayName", registration.displayName ?? "")
        guard version == .beta else { return }
        object.field("deploymentProfileAssignmentStatus", assignmentStatus(state.assignmentStatus))
        object.field("deploymentProfileAssignmentDetailedStatus", "none")
        object.field("deploymentProfileAssignedDateTime",
                     state.assignmentStatus == .assigned ? GraphJSON.dateTime(state.assignment.since) : GraphJSON.never)
        object.field("azureAdDeviceId", entraDevice)
        object.field("deviceAccountUpn", "")
        object.field("deviceAccountPassword", "")
        object.field("deviceFriendlyName", "")
        object.field("remediationState", "unknown")
        object.field("remediationStateLastModifiedDateTime", GraphJSON.never)
        object.field("userlessEnrollmentStatus", "unknown")
        for name in ["deploymentProfile", "intendedDeploymentProfile"] where expand.contains(name.lowercased()) {
            // The profile the device has once assigned; the one it is getting, while pending.
            let profile = name == "deploymentProfile" && state.assignmentStatus != .assigned ? nil : state.profile
            if let profile {
                object.object(name) { DeploymentProfileEntity.write(profile, into: &$0) }
            } else {
                object.nullField(name)
            }
        }
    }
}
