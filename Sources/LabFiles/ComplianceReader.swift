import Foundation
import DeviceIdentity
import Autopilot

/// Reads the `compliance` section (Intune compliance policies, in the fields of Graph's
/// `windows10CompliancePolicy`) and the `conditionalAccess` section (Entra's
/// `conditionalAccessPolicy`, its state and grant controls).
struct ComplianceReader {
    let lab: String
    let log: DiagnosticLog

    static let complianceType = "#microsoft.graph.windows10CompliancePolicy"
    /// Graph's Device Health Attestation and security settings the lab does not evaluate: a policy
    /// exported from Graph pastes in with them off, and turning one on is an error.
    static let unevaluatedSettings = ["passwordRequired", "passwordBlockSimple", "passwordRequiredToUnlockFromIdle",
                                      "requireHealthyDeviceReport", "earlyLaunchAntiMalwareDriverEnabled", "bitLockerEnabled",
                                      "codeIntegrityEnabled", "storageRequireEncryption", "activeFirewallRequired",
                                      "defenderEnabled", "signatureOutOfDate", "rtpEnabled", "antivirusRequired",
                                      "antiSpywareRequired", "deviceThreatProtectionEnabled",
                                      "configurationManagerComplianceRequired"]
    static let complianceFields = ["@odata.type", "id", "displayName", "description", "secureBootEnabled", "tpmRequired",
                                   "createdDateTime", "lastModifiedDateTime", "version", "roleScopeTagIds", "assignments"]
        + unevaluatedSettings

    func compliancePolicies(_ value: YAMLValue?, groups: [DeviceGroup]) -> [CompliancePolicy] {
        guard let items = value?.sequence() else { return [] }
        var policies: [CompliancePolicy] = []
        for (index, item) in items.enumerated() {
            guard let fields = item.mapping(allowing: Self.complianceFields),
                  let name = fields.required("displayName")?.nonEmptyString() else { continue }
            if let type = fields["@odata.type"], let text = type.string(), text != Self.complianceType {
                type.error("'\(text)' is not \(Self.complianceType): the lab evaluates Windows compliance policies only")
            }
            for setting in Self.unevaluatedSettings {
                if let field = fields[setting], field.bool() == true {
                    field.error("the lab does not evaluate '\(setting)' (only secureBootEnabled and tpmRequired); set it false or remove it")
                }
            }
            if policies.contains(where: { $0.displayName == name }) {
                item.error("compliance policy '\(name)' is declared twice")
                continue
            }
            let policy = CompliancePolicy(
                id: fields["id"]?.nonEmptyString() ?? IdentifierAllocator.stableUUID("compliance", lab, name).uuidString.lowercased(),
                displayName: name, description: fields["description"]?.string(),
                secureBootEnabled: fields["secureBootEnabled"]?.bool() ?? false,
                tpmRequired: fields["tpmRequired"]?.bool() ?? false,
                createdDateTime: fields["createdDateTime"].flatMap(GraphDate.read)
                    ?? AutopilotSectionsReader.creationEpoch.addingTimeInterval(Double(index) * 60),
                assignments: fields["assignments"]?.stringList() ?? [DeploymentProfile.allDevices])
            AutopilotSectionsReader(lab: lab, devices: [], log: log).checkAssignments(policy.assignments, in: item, groups: groups)
            policies.append(policy)
        }
        return policies
    }

    func conditionalAccessPolicies(_ value: YAMLValue?) -> [ConditionalAccessPolicy] {
        guard let items = value?.sequence() else { return [] }
        var policies: [ConditionalAccessPolicy] = []
        for item in items {
            guard let fields = item.mapping(allowing: ["id", "displayName", "state", "grantControls"]),
                  let name = fields.required("displayName")?.nonEmptyString() else { continue }
            if let grant = fields.required("grantControls"), let controls = grant.mapping(allowing: ["operator", "builtInControls"]) {
                if let op = controls["operator"], let text = op.string(), text != "OR" && text != "AND" {
                    op.error("'\(text)' is not OR or AND")
                }
                let chosen = controls.required("builtInControls")?.stringList() ?? []
                for control in chosen where control != "compliantDevice" {
                    controls.error("builtInControls", "'\(control)' is not modelled: the lab's Conditional Access grants "
                                   + "require a compliant device (compliantDevice)")
                }
                if chosen.isEmpty { controls.error("builtInControls", "list compliantDevice: the grant the lab models") }
            }
            if policies.contains(where: { $0.displayName == name }) {
                item.error("Conditional Access policy '\(name)' is declared twice")
                continue
            }
            policies.append(ConditionalAccessPolicy(
                id: fields["id"]?.nonEmptyString() ?? IdentifierAllocator.stableUUID("conditional-access", lab, name).uuidString.lowercased(),
                displayName: name, state: fields["state"]?.oneOf(ConditionalAccessPolicy.State.self) ?? .enabled))
        }
        return policies
    }
}
