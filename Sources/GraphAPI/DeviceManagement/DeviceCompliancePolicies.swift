import Foundation
import Hummingbird
import Autopilot

/// `deviceManagement/deviceCompliancePolicies`: the lab file's compliance policies as Intune lists
/// them (`windows10CompliancePolicy`), read only; the settings the lab does not evaluate are off.
/// A managed device's `complianceState` is its compliance with the ones assigned to it.
extension GraphController {
    static let compliancePolicies = "deviceManagement/deviceCompliancePolicies"

    func deviceCompliancePolicies(_ request: GraphRequest) async throws -> Response? {
        let path = request.path
        guard request.method == .get else { return nil }
        let policies = lab.autopilot.configuration.compliancePolicies
        if path.match(Self.compliancePolicies) != nil {
            return try collection(request, context: Self.compliancePolicies, type: "deviceCompliancePolicy", policies,
                                  property: { name, policy in
                                      name == "id" ? policy?.id ?? "" : name == "displayname" ? policy?.displayName ?? "" : nil
                                  }) { Self.write($1, into: &$0) }
        }
        guard let id = path.match(Self.compliancePolicies + "/{}")?.first else { return nil }
        guard let policy = policies.first(where: { $0.id.lowercased() == id.lowercased() }) else {
            throw GraphError.notFound("The deviceCompliancePolicy with id '\(id)' was not found.")
        }
        return GraphResponse.json(GraphJSON.object(selecting: request.query.select) { object in
            object.field("@odata.context", request.context(Self.compliancePolicies + "/$entity"))
            Self.write(policy, into: &object)
        })
    }

    static func write(_ policy: CompliancePolicy, into object: inout ObjectWriter) {
        object.field("@odata.type", "#microsoft.graph.windows10CompliancePolicy")
        object.field("id", policy.id)
        object.field("displayName", policy.displayName)
        object.field("description", policy.description ?? "")
        object.field("createdDateTime", GraphJSON.dateTime(policy.createdDateTime))
        object.field("lastModifiedDateTime", GraphJSON.dateTime(policy.createdDateTime))
        object.field("version", 1)
        object.field("secureBootEnabled", policy.secureBootEnabled)
        object.field("tpmRequired", policy.tpmRequired)
        for setting in ["bitLockerEnabled", "codeIntegrityEnabled", "passwordRequired", "storageRequireEncryption"] {
            object.field(setting, false)
        }
    }
}
