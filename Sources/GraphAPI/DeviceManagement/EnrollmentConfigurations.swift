import Foundation
import Hummingbird
import Autopilot
import LabService
import LabStore

/// `deviceManagement/deviceEnrollmentConfigurations`: the Enrollment Status Page profiles
/// (`windows10EnrollmentCompletionPageConfiguration`), the tenant's default first (priority 0,
/// "All users and all devices"); created, read, changed (PATCH sets the fields sent), deleted,
/// assigned to groups (`assign`) and ordered (`setPriority`), as the *-EnrollmentStatusPage
/// cmdlets call them.
extension GraphController {
    static let enrollmentConfigurations = "deviceManagement/deviceEnrollmentConfigurations"
    static let espType = "#microsoft.graph.windows10EnrollmentCompletionPageConfiguration"

    var defaultESPID: String { "\(lab.autopilot.tenant.id.uuidString.lowercased())_DefaultWindows10EnrollmentCompletionPageConfiguration" }

    func enrollmentConfigurations(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        guard path.segments.count >= 2, path.segments.count <= 4,
              path.match(Self.enrollmentConfigurations + String(repeating: "/{}", count: path.segments.count - 2)) != nil else { return nil }
        let service = lab.autopilot
        // Ids are matched in any case, as Graph matches GUIDs.
        let keys = path.segments.dropFirst(2).enumerated().map { $0.offset == 1 ? $0.element : $0.element.lowercased() }
        let isDefault = keys.first == defaultESPID.lowercased()
        switch (request.method, keys.count) {
        case (.get, 0):
            let pages = [Self.windowsDefault] + service.configuration.enrollmentStatusPages.sorted { $0.priority < $1.priority }
            return try collection(request, context: Self.enrollmentConfigurations, type: "deviceEnrollmentConfiguration", pages,
                                  property: { name, page in name == "displayname" ? page?.displayName ?? "" : name == "id" ? page.map(espID) ?? "" : nil }) {
                self.write($1, into: &$0)
            }
        case (.get, 1):
            let page = isDefault ? Self.windowsDefault : try service.enrollmentStatusPage(id: keys[0])
            return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
                object.field("@odata.context", request.context(Self.enrollmentConfigurations + "/$entity"))
                write(page, into: &object)
            })
        case (.post, 0):
            let body = try request.parsedBody()
            guard (try body.string("@odata.type")).map({ $0.hasPrefix("#") ? $0 : "#" + $0 }) == Self.espType else {
                throw GraphError.badRequest("The lab's deviceEnrollmentConfigurations are \(Self.espType) only; @odata.type must say so.")
            }
            let page = try Self.apply(body, to: EnrollmentStatusPage(id: UUID().uuidString.lowercased(), displayName: "", createdDateTime: clock()))
            let created = try await Offload.run { try service.addEnrollmentStatusPage(page) }
            return GraphResponse.json(GraphJSON.object { object in
                object.field("@odata.context", request.context(Self.enrollmentConfigurations + "/$entity"))
                write(created, into: &object)
            }, status: .created)
        case (.patch, 1) where !isDefault:
            let body = try request.parsedBody()
            let current = try service.enrollmentStatusPage(id: keys[0])
            let changed = try await Offload.run { try service.replaceEnrollmentStatusPage(id: keys[0], with: try Self.apply(body, to: current)) }
            return GraphResponse.json(GraphJSON.object { object in
                object.field("@odata.context", request.context(Self.enrollmentConfigurations + "/$entity"))
                write(changed, into: &object)
            })
        case (.delete, 1) where !isDefault:
            try await Offload.run { try service.deleteEnrollmentStatusPage(id: keys[0]) }
            return GraphResponse.noContent
        case (.patch, 1), (.delete, 1):
            throw GraphError.badRequest("The default Enrollment Status Page cannot be changed here.")
        case (.post, 2) where isDefault:
            throw GraphError.badRequest("The default Enrollment Status Page cannot be changed here.")
        case (.post, 2) where keys[1].lowercased() == "assign":
            let body = try request.parsedBody()
            guard let items = body.fields["enrollmentConfigurationAssignments"] as? [Any] else {
                throw GraphError.badRequest("enrollmentConfigurationAssignments: an array of assignments is required.")
            }
            let groups = try items.map { item -> String in
                guard let fields = item as? [String: Any] else { throw GraphError.badRequest("An assignment is not an object.") }
                switch try readTarget(GraphBody(fields: fields)) {
                case .allDevices: return DeploymentProfile.allDevices
                case .group(let name): return name
                case .exclusion: throw GraphError.badRequest("Enrollment Status Page profiles take no exclusion groups here.")
                }
            }
            try await Offload.run { try service.assignEnrollmentStatusPage(id: keys[0], to: groups) }
            return GraphResponse.noContent
        case (.post, 2) where keys[1].lowercased() == "setpriority":
            guard let priority = try request.parsedBody().int("priority") else { throw GraphError.badRequest("priority is required.") }
            try await Offload.run { try service.setPriority(ofEnrollmentStatusPage: keys[0], to: priority) }
            return GraphResponse.noContent
        case (.get, 2) where keys[1].lowercased() == "assignments":
            let page = isDefault ? Self.windowsDefault : try service.enrollmentStatusPage(id: keys[0])
            return GraphResponse.json(GraphJSON.object { root in
                root.field("@odata.context", request.context(Self.enrollmentConfigurations + "('\(keys[0])')/assignments"))
                root.objects("value", page.assignments) { object, group in
                    let target: AutopilotService.ProfileTarget = group == DeploymentProfile.allDevices ? .allDevices : .group(group)
                    object.field("id", "\(keys[0])_\(groupID(of: target))")
                    object.object("target") { self.writeTarget(target, into: &$0) }
                }
            })
        default:
            throw GraphError.segment(keys.last ?? "deviceEnrollmentConfigurations")
        }
    }

    /// Windows' default ESP, as Intune lists it.
    static let windowsDefault = EnrollmentStatusPage(id: "", displayName: "All users and all devices", priority: 0,
                                                     showInstallationProgress: false, createdDateTime: Date(timeIntervalSince1970: 0),
                                                     assignments: [DeploymentProfile.allDevices])

    func espID(_ page: EnrollmentStatusPage) -> String { page.id.isEmpty ? defaultESPID : page.id }

    /// The fields a body sends, applied to a page; a field of the wrong type is a 400 naming it.
    static func apply(_ body: GraphBody, to page: EnrollmentStatusPage) throws -> EnrollmentStatusPage {
        let known: Set<String> = ["id", "displayName", "description", "priority", "showInstallationProgress", "blockDeviceSetupRetryByUser",
                                  "allowDeviceResetOnInstallFailure", "allowLogCollectionOnInstallFailure", "customErrorMessage",
                                  "installProgressTimeoutInMinutes", "allowDeviceUseOnInstallFailure", "selectedMobileAppIds",
                                  "allowNonBlockingAppInstallation", "installQualityUpdates", "trackInstallProgressForAutopilotOnly",
                                  "disableUserStatusTrackingAfterFirstUser", "roleScopeTagIds", "createdDateTime", "lastModifiedDateTime",
                                  "version", "deviceEnrollmentConfigurationType", "@odata.type"]
        if let unknown = body.unknownFields(known).first {
            throw GraphError.badRequest("The property '\(unknown)' does not exist on type 'microsoft.graph.windows10EnrollmentCompletionPageConfiguration'.")
        }
        var page = page
        if let name = try body.string("displayName") { page.displayName = name }
        if let text = try body.string("description") { page.description = text.isEmpty ? nil : text }
        if let text = try body.string("customErrorMessage") { page.customErrorMessage = text.isEmpty ? nil : text }
        let flags: [(String, WritableKeyPath<EnrollmentStatusPage, Bool>)] = [
            ("showInstallationProgress", \.showInstallationProgress), ("blockDeviceSetupRetryByUser", \.blockDeviceSetupRetryByUser),
            ("allowDeviceResetOnInstallFailure", \.allowDeviceResetOnInstallFailure),
            ("allowLogCollectionOnInstallFailure", \.allowLogCollectionOnInstallFailure),
            ("allowDeviceUseOnInstallFailure", \.allowDeviceUseOnInstallFailure),
            ("allowNonBlockingAppInstallation", \.allowNonBlockingAppInstallation), ("installQualityUpdates", \.installQualityUpdates),
            ("trackInstallProgressForAutopilotOnly", \.trackInstallProgressForAutopilotOnly),
            ("disableUserStatusTrackingAfterFirstUser", \.disableUserStatusTrackingAfterFirstUser),
        ]
        for (name, keyPath) in flags { if let flag = try body.bool(name) { page[keyPath: keyPath] = flag } }
        if let minutes = try body.int("installProgressTimeoutInMinutes") { page.installProgressTimeoutInMinutes = minutes }
        switch body.fields["selectedMobileAppIds"] {
        case nil, is NSNull: break
        case let ids as [String]: page.selectedMobileAppIds = ids
        default: throw GraphError.badRequest("Cannot convert the literal in 'selectedMobileAppIds' to the expected type 'Collection(Edm.String)'.")
        }
        return page
    }

    func write(_ page: EnrollmentStatusPage, into object: inout ObjectWriter) {
        object.field("@odata.type", Self.espType)
        object.field("id", espID(page))
        object.field("displayName", page.displayName)
        object.field("description", page.description ?? "")
        object.field("priority", page.priority)
        object.field("createdDateTime", GraphJSON.dateTime(page.createdDateTime))
        object.field("lastModifiedDateTime", GraphJSON.dateTime(page.createdDateTime))
        object.field("version", 1)
        object.field("deviceEnrollmentConfigurationType", "windows10EnrollmentCompletionPageConfiguration")
        object.field("roleScopeTagIds", ["0"])
        object.field("showInstallationProgress", page.showInstallationProgress)
        object.field("blockDeviceSetupRetryByUser", page.blockDeviceSetupRetryByUser)
        object.field("allowDeviceResetOnInstallFailure", page.allowDeviceResetOnInstallFailure)
        object.field("allowLogCollectionOnInstallFailure", page.allowLogCollectionOnInstallFailure)
        object.field("customErrorMessage", page.customErrorMessage ?? "")
        object.field("installProgressTimeoutInMinutes", page.installProgressTimeoutInMinutes)
        object.field("allowDeviceUseOnInstallFailure", page.allowDeviceUseOnInstallFailure)
        object.field("selectedMobileAppIds", page.selectedMobileAppIds)
        object.field("allowNonBlockingAppInstallation", page.allowNonBlockingAppInstallation)
        object.field("installQualityUpdates", page.installQualityUpdates)
        object.field("trackInstallProgressForAutopilotOnly", page.trackInstallProgressForAutopilotOnly)
        object.field("disableUserStatusTrackingAfterFirstUser", page.disableUserStatusTrackingAfterFirstUser)
    }
}
