import Foundation
import Testing
@testable import Autopilot
import DeviceProtocol

@Suite("offline profile: AutopilotConfigurationFile.json")
struct OfflineProfileTests {
    let tenant = Tenant(id: UUID(uuidString: "6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13")!, domain: "contoso.onmicrosoft.com",
                        displayName: "Contoso")

    @Test func theOOBEConfigNumbersThePublicModuleProduces() {
        let hidden = OutOfBoxExperienceSettings(hidePrivacySettings: true, hideEULA: true, userType: .standard,
                                                skipKeyboardSelectionPage: true)
        #expect(OOBEConfig(hidden).rawValue == 1310)
        var administrator = hidden
        administrator.userType = .administrator
        #expect(OOBEConfig(administrator).rawValue == 1308)
        var shared = hidden
        shared.deviceUsageType = .shared
        #expect(OOBEConfig(shared).rawValue == 1310 + 32 + 64)
        let nothingHidden = OutOfBoxExperienceSettings(hidePrivacySettings: false, hideEULA: false, userType: .administrator)
        #expect(OOBEConfig(nothingHidden).rawValue == 264)
    }

    @Test func theFileIsWhatWindowsPowerShellWrites() {
        let profile = DeploymentProfile(
            id: "b1d3483a-753d-4fc5-824c-719e621614be", displayName: "Contoso <Sales> & 'Co'",
            deviceNameTemplate: "CTS-%SERIAL%",
            outOfBoxExperienceSettings: OutOfBoxExperienceSettings(hidePrivacySettings: true, hideEULA: true, userType: .standard,
                                                                   hideEscapeLink: true),
            createdDateTime: Date())
        let text = String(decoding: OfflineProfile.export(profile, tenant: tenant), as: UTF8.self)
        #expect(text == """
            {\r
                "CloudAssignedTenantId":  "6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13",\r
                "CloudAssignedAutopilotUpdateTimeout":  1800000,\r
                "CloudAssignedAutopilotUpdateDisabled":  1,\r
                "CloudAssignedForcedEnrollment":  1,\r
                "Version":  2049,\r
                "Comment_File":  "Profile Contoso \\u003cSales\\u003e \\u0026 \\u0027Co\\u0027",\r
                "CloudAssignedAadServerData":  "{\\"ZeroTouchConfig\\":{\\"CloudAssignedTenantUpn\\":\\"\\",\\"ForcedEnrollment\\":1,\\"CloudAssignedTenantDomain\\":\\"contoso.onmicrosoft.com\\"}}",\r
                "CloudAssignedTenantDomain":  "contoso.onmicrosoft.com",\r
                "CloudAssignedDomainJoinMethod":  0,\r
                "CloudAssignedOobeConfig":  286,\r
                "CloudAssignedDeviceName":  "CTS-%SERIAL%",\r
                "ZtdCorrelationId":  "b1d3483a-753d-4fc5-824c-719e621614be"\r
            }\r

            """)
    }

    @Test func exportThenImportKeepsWhatTheFileCarries() throws {
        let profile = DeploymentProfile(
            id: "p-1", displayName: "Kiosk", language: "de-DE", deviceNameTemplate: "KIOSK-%RAND:5%",
            outOfBoxExperienceSettings: OutOfBoxExperienceSettings(hidePrivacySettings: true, hideEULA: false, userType: .standard,
                                                                   deviceUsageType: .shared, skipKeyboardSelectionPage: true,
                                                                   hideEscapeLink: false),
            createdDateTime: Date(timeIntervalSince1970: 0))
        let data = OfflineProfile.export(profile, tenant: tenant)
        #expect(data.allSatisfy { $0 < 0x80 })
        let contents = try OfflineProfile.read(data, createdAt: Date(timeIntervalSince1970: 0))
        #expect(contents.profile == profile)
        #expect(contents.tenantID == tenant.id)
        #expect(contents.tenantDomain == tenant.domain)
    }

    @Test func hybridExportsMethodOneAndTheSkipFlag() throws {
        let profile = DeploymentProfile(id: "h", displayName: "Hybrid",
                                        join: .hybrid(.init(skipConnectivityCheck: true, domainName: "corp.contoso.com",
                                                            computerNamePrefix: "FIN-")),
                                        createdDateTime: Date())
        let text = String(decoding: OfflineProfile.export(profile, tenant: tenant), as: UTF8.self)
        #expect(text.contains("\"CloudAssignedDomainJoinMethod\":  1"))
        #expect(text.contains("\"HybridJoinSkipDCConnectivityCheck\":  1"))
        #expect(throws: OfflineProfileError.self) { try OfflineProfile.read(Data(text.utf8), createdAt: Date()) }
    }

    @Test func aNonASCIIFileIsRefused() {
        let error = #expect(throws: OfflineProfileError.self) {
            try OfflineProfile.read(Data([0xFF, 0xFE, 0x7B, 0x00]), createdAt: Date())
        }
        #expect(error?.message.contains("not ASCII") == true)
    }
}
