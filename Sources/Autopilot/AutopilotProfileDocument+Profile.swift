public import DeviceProtocol

extension AutopilotProfileDocument {
    /// The document the service hands a device: its profile, for its tenant and registration.
    public init(profile: DeploymentProfile, tenant: Tenant, registration: RegisteredDevice) {
        let settings = profile.outOfBoxExperienceSettings
        var hybrid: DeploymentProfile.HybridJoin?
        if case .hybrid(let join) = profile.join { hybrid = join }
        self.init(version: 2049, commentFile: "Profile \(profile.displayName)", ztdCorrelationId: profile.id,
                  cloudAssignedTenantId: tenant.id.uuidString.lowercased(), cloudAssignedTenantDomain: tenant.domain,
                  cloudAssignedDomainJoinMethod: profile.isHybrid ? 1 : 0, cloudAssignedOobeConfig: OOBEConfig(settings).rawValue,
                  cloudAssignedForcedEnrollment: settings.hideEscapeLink ? 1 : 0,
                  cloudAssignedDeviceName: registration.displayName ?? profile.deviceNameTemplate,
                  cloudAssignedLanguage: settings.skipKeyboardSelectionPage ? profile.language : nil,
                  hybridJoinSkipDCConnectivityCheck: hybrid.map { $0.skipConnectivityCheck ? 1 : 0 },
                  cloudAssignedAutopilotUpdateDisabled: 1, cloudAssignedAutopilotUpdateTimeout: 1_800_000,
                  deploymentProfileName: profile.displayName, ztdRegistrationId: registration.id,
                  cloudAssignedTenantUpn: registration.assignedUser,
                  cloudAssignedPreprovisioningAllowed: profile.enableWhiteGlove ? 1 : 0,
                  domainJoin: hybrid.map { DomainJoin(domainName: $0.domainName, organizationalUnit: $0.organizationalUnit,
                                                      computerNamePrefix: $0.computerNamePrefix,
                                                      randomSuffixLength: $0.randomSuffixLength) })
    }
}
