import Testing
@testable import Autopilot

func device(tag: String? = nil, po: String? = nil, model: String? = "Latitude 7440", profile: String? = nil) -> DeviceProperties {
    var ids = ["[ZTDId]:0f2b7c52-0000-4000-8000-000000000001", "[HWID]:h:6966000000000000"]
    if let tag { ids.append("[OrderID]:\(tag)") }
    if let po { ids.append("[PurchaseOrderId]:\(po)") }
    var scalars: [MembershipRule.Property: String] = [.deviceOSType: "Windows"]
    scalars[.deviceModel] = model
    scalars[.enrollmentProfileName] = profile
    return DeviceProperties(physicalIds: ids, scalars: scalars)
}

@Suite("dynamic membership rules")
struct MembershipRuleTests {
    @Test func theAutopilotRules() throws {
        let allAutopilot = try MembershipRule(#"(device.devicePhysicalIDs -any (_ -startsWith "[ZTDid]"))"#)
        #expect(allAutopilot.matches(device()))
        #expect(!allAutopilot.matches(DeviceProperties(physicalIds: ["[HWID]:x"])))

        let sales = try MembershipRule(#"(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))"#)
        #expect(sales.matches(device(tag: "Sales")))
        #expect(sales.matches(device(tag: "SALES")))  // case-insensitive, as in Entra
        #expect(!sales.matches(device(tag: "Sales2")))
        #expect(!sales.matches(device()))

        let po = try MembershipRule(#"device.devicePhysicalIds -any (_ -eq "[PurchaseOrderId]:PO-77")"#)
        #expect(po.matches(device(po: "PO-77")))
    }

    @Test func booleanLogicAndScalars() throws {
        let rule = try MembershipRule(#"""
            (device.devicePhysicalIds -any (_ -contains "[OrderID]:Fin")) -and -not (device.deviceModel -eq "Latitude 7440")
              -or device.enrollmentProfileName -eq "Kiosk - self-deploying"
            """#)
        #expect(rule.matches(device(tag: "Finance", model: "OptiPlex")))
        #expect(!rule.matches(device(tag: "Finance")))
        #expect(rule.matches(device(profile: "kiosk - SELF-deploying")))
        let listed = try MembershipRule(#"device.deviceModel -in ["OptiPlex", "Latitude 7440"] -AND device.deviceOSType -ne "Android""#)
        #expect(listed.matches(device()))
        #expect(try MembershipRule(#"device.deviceModel -match "^Lat.*40$""#).matches(device()))
        #expect(try MembershipRule(#"device.enrollmentProfileName -eq null"#).matches(device()))
        #expect(try MembershipRule(#"device.devicePhysicalIds -all (_ -startsWith "[")"#).matches(device()))
    }

    @Test(arguments: [
        (#"(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales")"#, 57, "expected ')' to close the '('"),
        (#"device.devicePhysicalIds -eq "x""#, 26, "is a collection"),
        (#"device.serialNumber -eq "x""#, 1, "device.serialNumber is not a property"),
        (#"device.deviceModel -equals "x""#, 20, "'-equals' is not an operator"),
        (#"device.deviceModel -eq Latitude"#, 24, "expected a value in double quotes"),
        (#"device.deviceModel -eq "Latitude"#, 24, "never closed"),
        (#"device.deviceModel -eq "a" device.deviceModel -eq "b""#, 28, "after a complete rule"),
        (#"device.deviceModel -any (_ -eq "a")"#, 20, "applies to collections"),
        (#"device.deviceModel -match "([""#, 27, "valid regular expression"),
        (#"   "#, 4, "the rule is empty"),
    ])
    func errorsNameTheColumn(rule: String, column: Int, message: String) {
        let error = #expect(throws: MembershipRuleError.self) { try MembershipRule(rule) }
        #expect(error?.column == column, "\(error?.description ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }
}
