public import Foundation
import LabService

/// The lab's access token for Graph clients. Shaped as a JWT, because `Connect-MgGraph
/// -AccessToken` decodes one and refuses an expired token: header and claims (`tid`, `scp`, a
/// far-future `exp`) in base64url, and a random third part where a signature would be, which is
/// what makes the token secret. Kept owner-only in the lab folder (`graph.token`).
public enum GraphToken {
    /// The scopes the token claims: what the Autopilot automation asks for.
    static let scopes = "DeviceManagementServiceConfig.ReadWrite.All DeviceManagementManagedDevices.ReadWrite.All "
        + "DeviceManagementManagedDevices.PrivilegedOperations.All DeviceManagementConfiguration.ReadWrite.All "
        + "Group.ReadWrite.All Device.Read.All Organization.Read.All"

    /// The token in the lab folder's `graph.token`, made for the tenant on first use.
    public static func stored(at file: URL, tenant: UUID, now: Date = Date()) throws -> String {
        try Secret.stored(at: file) { make(tenant: tenant, now: now) }
    }

    static func make(tenant: UUID, now: Date) -> String {
        let tid = tenant.uuidString.lowercased()
        let header = #"{"typ":"JWT","alg":"none"}"#
        let issued = Int(now.timeIntervalSince1970)
        let claims = GraphJSON.object {
            $0.field("aud", "https://graph.microsoft.com")
            $0.field("iss", "https://sts.windows.net/\(tid)/")
            $0.field("iat", issued)
            $0.field("nbf", issued)
            // 1 January 3000: "never" for any client that checks.
            $0.field("exp", 32_503_680_000)
            $0.field("tid", tid)
            $0.field("scp", scopes)
            $0.field("app_displayname", "pxelab")
            $0.field("appid", "14d82eec-204b-4c2f-b7e8-296a70dab67e")
            $0.field("oid", "00000000-0000-4000-8000-00000000aaaa")
            $0.field("upn", "lab-admin")
            $0.field("ver", "1.0")
        }.text
        return [header, claims, Secret.make()].map(base64URL).joined(separator: ".")
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
