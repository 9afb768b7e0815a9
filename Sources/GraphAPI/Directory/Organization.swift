import Foundation
import Hummingbird

/// `/organization`: the tenant, as `ConvertTo-AutopilotConfigurationJSON` reads it (its id and
/// default verified domain).
extension GraphController {
    func organization(_ request: GraphRequest) throws -> Response? {
        guard request.method == .get, request.path.match("organization") != nil else { return nil }
        let tenant = lab.autopilot.tenant
        return GraphResponse.json(GraphJSON.object { root in
            root.field("@odata.context", request.context("organization"))
            root.objects("value", [tenant], selecting: request.query.select) { object, tenant in
                object.field("id", tenant.id.uuidString.lowercased())
                object.field("displayName", tenant.displayName)
                object.objects("verifiedDomains", [tenant.domain]) { domain, name in
                    domain.field("capabilities", "Email, OfficeCommunicationsOnline")
                    domain.field("isDefault", true)
                    domain.field("isInitial", true)
                    domain.field("name", name)
                    domain.field("type", "Managed")
                }
            }
        })
    }
}
