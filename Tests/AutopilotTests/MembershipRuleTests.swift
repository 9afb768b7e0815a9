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

    /// A `-match` rule is parsed (and its pattern compiled) once, then matched against a whole
    /// fleet, from many tasks at once, with the same answers as a fresh parse per device.
    @Test func aMatchRuleParsedOnceServesAFleet() async throws {
        let models = ["Latitude 7440", "LATITUDE 5540", "Latitude 7450", "OptiPlex 7040", "Surface Laptop 5", nil]
        let fleet = (0..<600).map { index in device(tag: index % 3 == 0 ? "Sales-\(index)" : nil, model: models[index % models.count]) }
        let byModel = try MembershipRule(#"device.deviceModel -match "^lat.*40$""#)
        let notByModel = try MembershipRule(#"device.deviceModel -notMatch "^lat.*40$""#)
        let byTag = try MembershipRule(#"device.devicePhysicalIds -any (_ -match "^\[OrderID\]:sales-[0-9]*0$")"#)
        let expectedModel = fleet.map { $0.scalars[.deviceModel].map { ["latitude 7440", "latitude 5540"].contains($0.lowercased()) } ?? false }
        let expectedTag = fleet.map { $0.physicalIds.contains { $0.hasPrefix("[OrderID]:Sales-") && $0.hasSuffix("0") } }
        #expect(expectedModel.filter { $0 }.count == 200 && expectedTag.filter { $0 }.count == 20)

        let answers = await withTaskGroup(of: (Int, Bool, Bool, Bool).self) { group in
            for (index, member) in fleet.enumerated() {
                group.addTask { (index, byModel.matches(member), notByModel.matches(member), byTag.matches(member)) }
            }
            return await group.reduce(into: [Int: (Bool, Bool, Bool)]()) { $0[$1.0] = ($1.1, $1.2, $1.3) }
        }
        for (index, member) in fleet.enumerated() {
            let (model, notModel, tag) = try #require(answers[index])
            #expect(model == expectedModel[index], "\(member)")
            // -notMatch is the negation, and a device without the property does not match the pattern.
            #expect(notModel == !expectedModel[index], "\(member)")
            #expect(tag == expectedTag[index], "\(member)")
            #expect(model == (try MembershipRule(byModel.text)).matches(member))
        }
        // The compiled pattern is not part of a rule's identity: a rule equals its text parsed again.
        #expect(byTag == (try MembershipRule(byTag.text)))
        #expect(byModel != (try MembershipRule(#"device.deviceModel -match "^lat.*41$""#)))
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
