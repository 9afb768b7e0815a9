import Foundation
import Testing
import TestSupport
import DeviceProtocol

/// The Graph door, over raw HTTP as the WindowsAutopilotIntune PowerShell module calls it
/// (absolute paths, its quirks), on the endpoint's own port.
@Suite("the Graph door: windowsAutopilotDeviceIdentities, organization, OData")
struct GraphRouteTests {
    static let identities = "/beta/deviceManagement/windowsAutopilotDeviceIdentities"

    @Test func aMissingOrWrongTokenGetsGraphsErrorAndTheTokenIsAJWTWithTheTenant() async throws {
        try await withEndpoint { running in
            let without = try await running.client.get(Self.identities, headers: ["client-request-id": "abc-123"])
            #expect(without.status == 401)
            let error = try #require(without.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "InvalidAuthenticationToken")
            let inner = try #require(error["innerError"] as? [String: Any])
            #expect(inner["client-request-id"] as? String == "abc-123")
            #expect(inner["request-id"] as? String == without.header("request-id"))
            #expect(without.header("client-request-id") == "abc-123")
            #expect(try await running.client.get(Self.identities, token: running.adminToken).status == 401)

            let token = running.endpoint.graphToken
            let parts = token.split(separator: ".")
            #expect(parts.count == 3)
            var payload = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while payload.count % 4 != 0 { payload += "=" }
            let payloadData = try #require(Data(base64Encoded: payload))
            let claims = try #require(try JSONSerialization.jsonObject(with: payloadData) as? [String: Any])
            #expect(claims["tid"] as? String == "6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13")
            #expect((claims["exp"] as? Int ?? 0) > Int(Date().timeIntervalSince1970) + 100 * 365 * 86_400)
            #expect((claims["scp"] as? String)?.contains("DeviceManagementServiceConfig.ReadWrite.All") == true)
            let file = running.stateRoot.appendingPathComponent("http/graph.token")
            #expect(try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .newlines) == token)
            #expect((try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
    }

    @Test func theListHasGraphsFieldsOnBetaAndFewerOnV1() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let beta = try await running.client.get(Self.identities, token: token)
            #expect(beta.status == 200)
            #expect(beta.header("content-type")?.hasPrefix("application/json") == true)
            #expect(beta.json["@odata.context"] as? String
                    == "http://127.0.0.1:\(running.port)/beta/$metadata#deviceManagement/windowsAutopilotDeviceIdentities")
            let value = try #require(beta.json["value"] as? [[String: Any]])
            // sales-1, sales-2, loose, and the one registration of the duplicated serial.
            #expect(value.count == 4)
            #expect(beta.json["@odata.count"] as? Int == 4)
            #expect(beta.json["@odata.nextLink"] == nil)
            let sales = try #require(value.first { $0["serialNumber"] as? String == "SALES-1" })
            #expect(sales["groupTag"] as? String == "Sales")
            #expect(sales["userPrincipalName"] as? String == "adele@contoso.onmicrosoft.com")
            #expect(sales["manufacturer"] as? String == "Contoso")
            #expect(sales["enrollmentState"] as? String == "notContacted")
            #expect(sales["deploymentProfileAssignmentStatus"] as? String == "assignedInSync")
            #expect(sales["@odata.type"] == nil)
            let loose = try #require(value.first { $0["serialNumber"] as? String == "LOOSE-1" })
            #expect(loose["groupTag"] as? String == "")
            #expect(loose["deploymentProfileAssignmentStatus"] as? String == "notAssigned")

            let v1 = try await running.client.get("/v1.0/deviceManagement/windowsAutopilotDeviceIdentities", token: token)
            let first = try #require((v1.json["value"] as? [[String: Any]])?.first)
            #expect(first["serialNumber"] != nil)
            #expect(first["deploymentProfileAssignmentStatus"] == nil)

            let selected = try await running.client.get(Self.identities + "?$select=serialNumber,groupTag", token: token)
            let keys = Set(((selected.json["value"] as? [[String: Any]])?.first ?? [:]).keys)
            #expect(keys == ["serialNumber", "groupTag"])
        }
    }

    @Test func pagesFollowAbsoluteNextLinksToEveryIdentityOnce() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            var path: String? = Self.identities + "?$top=3"
            var serials: [String] = []
            var pages = 0
            while let next = path {
                let page = try await running.client.get(next, token: token)
                #expect(page.status == 200)
                serials += (page.json["value"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                pages += 1
                if let link = page.json["@odata.nextLink"] as? String {
                    #expect(link.hasPrefix("http://127.0.0.1:\(running.port)/beta/deviceManagement/"))
                    #expect(link.contains("$top=3") && link.contains("$skiptoken="))
                    path = String(link.dropFirst(running.client.base.count))
                } else {
                    path = nil
                }
            }
            #expect(pages == 2)
            #expect(serials.count == 4 && Set(serials).count == 4)
            let bad = try await running.client.get(Self.identities + "?$skiptoken=nonsense", token: token)
            #expect(bad.status == 400)
        }
    }

    @Test func filtersAndIntunesRefusals() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            func serials(_ filter: String) async throws -> [String] {
                let encoded = filter.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "+"]))!
                let reply = try await running.client.get(Self.identities + "?$filter=" + encoded, token: token)
                #expect(reply.status == 200, "\(filter): \(reply.text)")
                return (reply.json["value"] as? [[String: Any]] ?? []).compactMap { $0["serialNumber"] as? String }.sorted()
            }
            #expect(try await serials("contains(serialNumber,'SALES')") == ["SALES-1", "SALES-2"])
            #expect(try await serials("contains(serialNumber,'sales')") == ["SALES-1", "SALES-2"])
            #expect(try await serials("startsWith(groupTag, 'Sal') and not (serialNumber ne 'x' and contains(serialNumber,'2'))") == ["SALES-1"])
            #expect(try await serials("deploymentProfileAssignmentStatus eq 'notAssigned'") == ["LOOSE-1", "TWIN"])
            // Nesting is bounded: a filter of 5,000 parentheses or nots is a 400, not a stack overflow.
            for deep in [String(repeating: "(", count: 5_000), String(repeating: "not ", count: 5_000) + "id eq 'x'"] {
                let reply = try await running.client.get(Self.identities + "?$filter=" + deep.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!,
                                                         token: token)
                #expect(reply.status == 400)
            }
            for refused in ["serialNumber eq 'SALES-1'", "contains(serialNumber,'SALES-1')", "color eq 'red'", "contains(serialNumber,"] {
                let reply = try await running.client.get(
                    Self.identities + "?$filter=" + refused.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, token: token)
                #expect(reply.status == 400, "\(refused)")
                #expect(reply.errorCode == "BadRequest")
                // Intune's routes carry their message as Intune's JSON text.
                let message = (reply.json["error"] as? [String: Any])?["message"] as? String ?? ""
                let intune = try JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any]
                #expect(intune?["_version"] as? Int == 3, "\(message)")
            }
        }
    }

    @Test func thePowerShellModulesUpdateChangesTheProfileTheDeviceGets() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let lab = running.endpoint.lab
            let id = try #require(try lab.autopilot.registration(serial: "SALES-1")).id
            // As Set-AutopilotDevice sends it: capital U, a key in parentheses, a trailing slash,
            // unquoted keys and a trailing comma.
            let update = try await running.client.request(
                .POST, "/beta/deviceManagement/windowsAutopilotDeviceIdentities('\(id)')/UpdateDeviceProperties/",
                body: Data(#"{ groupTag: "Marketing", displayName: "MKT-0001", addressableUserName: "Adele", }"#.utf8),
                headers: ["Content-Type": "application/json"], token: token)
            #expect(update.status == 204, "\(update.text)")
            let registration = try #require(try lab.autopilot.registration(serial: "SALES-1"))
            #expect(registration.groupTag == "Marketing")
            #expect(registration.displayName == "MKT-0001")
            #expect(registration.addressableUserName == "Adele")
            // The Sales profile no longer reaches it: the same change as through any door.
            #expect(try lab.autopilot.registrationSummaries().first { $0.serialNumber == "SALES-1" }?.profile == nil)

            let entity = try await running.client.get(Self.identities + "/\(id)?$expand=deploymentProfile,intendedDeploymentProfile",
                                                      token: token)
            #expect(entity.json["groupTag"] as? String == "Marketing")
            #expect(entity.json["deploymentProfile"] is NSNull)
            let other = try #require(try lab.autopilot.registration(serial: "SALES-2")).id
            let expanded = try await running.client.get(Self.identities + "/\(other)?$expand=deploymentProfile", token: token)
            let profile = try #require(expanded.json["deploymentProfile"] as? [String: Any])
            #expect(profile["@odata.type"] as? String == "#microsoft.graph.azureADWindowsAutopilotDeploymentProfile")
            #expect(profile["displayName"] as? String == "Sales")
            #expect((profile["outOfBoxExperienceSetting"] as? [String: Any])?["eulaHidden"] as? Bool == true)

            let unassign = try await running.client.post(Self.identities + "/\(id)/unassignUserFromDevice", json: "", token: token)
            #expect(unassign.status == 204)
            #expect(try lab.autopilot.registration(serial: "SALES-1")?.assignedUser == nil)
            let assign = try await running.client.post(Self.identities + "/\(id)/assignUserToDevice",
                                                       json: #"{"userPrincipalName":"megan@contoso.onmicrosoft.com","addressableUserName":"Megan"}"#,
                                                       token: token)
            #expect(assign.status == 204)
            #expect(try lab.autopilot.registration(serial: "SALES-1")?.assignedUser == "megan@contoso.onmicrosoft.com")

            let wrongType = try await running.client.post(Self.identities + "/\(id)/updateDeviceProperties", json: #"{"groupTag": 5}"#, token: token)
            #expect(wrongType.status == 400)
            let unknown = try await running.client.post(Self.identities + "/\(id)/updateDeviceProperties", json: #"{"colour": "red"}"#, token: token)
            #expect(unknown.status == 400)
            let badTag = try await running.client.post(Self.identities + "/\(id)/updateDeviceProperties",
                                                       json: #"{"groupTag": "\#(String(repeating: "x", count: 300))"}"#, token: token)
            #expect(badTag.status == 400)
            #expect(try lab.autopilot.registration(serial: "SALES-1")?.groupTag == "Marketing")
        }
    }

    @Test func deleteRemovesTheRegistrationAndUnknownSegmentsAreRefused() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let lab = running.endpoint.lab
            let id = try #require(try lab.autopilot.registration(serial: "LOOSE-1")).id
            let deleted = try await running.client.request(.DELETE, Self.identities + "/\(id)", token: token)
            #expect(deleted.status == 204)
            #expect(try lab.autopilot.registration(serial: "LOOSE-1") == nil)
            let gone = try await running.client.get(Self.identities + "/\(id)", token: token)
            #expect(gone.status == 404)
            #expect(gone.errorCode == "ResourceNotFound")

            let unknown = try await running.client.get("/beta/deviceManagement/windowsAutopilotThings", token: token)
            #expect(unknown.status == 400)
            let organization = try await running.client.get("/v1.0/organization", token: token)
            let tenant = try #require((organization.json["value"] as? [[String: Any]])?.first)
            #expect(tenant["id"] as? String == "6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13")
            let domains = tenant["verifiedDomains"] as? [[String: Any]]
            #expect(domains?.first?["name"] as? String == "contoso.onmicrosoft.com")
            #expect(domains?.first?["isDefault"] as? Bool == true)
        }
    }

    @Test func withoutHostedDevicesARemoteActionIsQueuedForTheDevice() async throws {
        try await withEndpoint { running in
            let token = running.endpoint.graphToken
            let lab = running.endpoint.lab
            _ = try lab.autopilot.enroll(serial: "SALES-1", mode: .userDriven, health: DeviceHealth(secureBoot: true, tpmVersion: "2.0"))
            let managed = try await running.client.get("/beta/deviceManagement/managedDevices?$filter=serialNumber%20eq%20'SALES-1'", token: token)
            let id = try #require((managed.json["value"] as? [[String: Any]])?.first?["id"] as? String)
            let wipe = try await running.client.post("/beta/deviceManagement/managedDevices/\(id)/wipe",
                                                     json: #"{keepEnrollmentData: "True", keepUserData: "False"}"#, token: token)
            #expect(wipe.status == 204, "\(wipe.text)")
            #expect(try lab.store.pendingActions(for: "sales-1") == [.wipe(keepEnrollment: true, keepUserData: false)])
            let reset = try await running.client.post("/beta/deviceManagement/managedDevices/\(id)/wipe",
                                                      json: #"{"keepEnrollmentData": true, "keepUserData": true}"#, token: token)
            #expect(reset.status == 204)
            #expect(try lab.store.pendingActions(for: "sales-1").last == .reset(remote: true))
            let after = try await running.client.get("/beta/deviceManagement/managedDevices/\(id)", token: token)
            let results = after.json["deviceActionResults"] as? [[String: Any]] ?? []
            #expect(Set(results.compactMap { $0["actionName"] as? String }) == ["factoryReset", "autopilotReset"])
            #expect(results.allSatisfy { $0["actionState"] as? String == "pending" })
        }
    }
}
