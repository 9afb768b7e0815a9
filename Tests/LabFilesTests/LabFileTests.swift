import Foundation
import Testing
import DeviceIdentity
import LabFiles
import Autopilot

/// A valid lab file that each error test changes in one place.
let baseLab = """
lab: unit
models:
  laptop:
    manufacturer: Contoso
    product: Lab Laptop
    sku: LL-1
fleet:
  - model: laptop
    count: 3
    serial: "LL-{seq:04}"
    groupTag: Sales
"""

func load(_ text: String) throws(LabFileError) -> LabFile { try LabFile.parse(text, file: "lab.yaml") }

/// The diagnostics for a lab file that must fail.
func problems(_ text: String) -> [Diagnostic] { problems(of: "the lab file") { () throws(LabFileError) in try load(text) } }

/// The diagnostics of a reading that must fail.
func problems<Value>(of what: String, _ read: () throws(LabFileError) -> Value) -> [Diagnostic] {
    do {
        _ = try read()
        Issue.record("\(what) was accepted")
        return []
    } catch {
        return error.diagnostics
    }
}

@Suite("lab files: valid ones")
struct ValidLabFileTests {
    @Test func theDemoLabLoads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Topologies/demo.yaml")
        let labFile = try LabFile.load(file: url.path)
        #expect(labFile.lab == "demo")
        #expect(labFile.devices.count == 10)
        #expect(Set(labFile.devices.map(\.identity.manufacturer)).count == 3)
        #expect(labFile.profiles.count == 4)
        #expect(Set(labFile.profiles.map(\.mode)).count == 3)
        #expect(labFile.enrollmentStatusPages.first?.selectedMobileAppIds == ["company-portal", "microsoft-365-apps"])
        #expect(labFile.tenant.domain == "contoso.onmicrosoft.com")
    }

    @Test func fleetExpansionAndDefaults() throws {
        let labFile = try load(baseLab)
        #expect(labFile.hosts == [LabHost.embedded])
        #expect(labFile.devices.map(\.name) == ["unit-laptop-01", "unit-laptop-02", "unit-laptop-03"])
        #expect(labFile.devices.map(\.identity.serial) == ["LL-0001", "LL-0002", "LL-0003"])
        let device = labFile.devices[0]
        #expect(device.identity.manufacturer == "Contoso")
        #expect(device.identity.board.manufacturer == "Contoso")
        #expect(device.identity.chassis.serial == "LL-0001")
        #expect(device.identity.board.serial.hasPrefix("PB"))
        #expect(device.identity.mac.hasQEMUPrefix)
        #expect(device.groupTag == "Sales")
        #expect(labFile.model(of: device).tpm == .v2_0)
        #expect(labFile.model(of: device).memoryMiB == 512)
        #expect(Set(labFile.devices.map(\.identity.mac)).count == 3)
        #expect(Set(labFile.devices.map(\.identity.uuid)).count == 3)
    }

    @Test func identitiesAreDeterministic() throws {
        let first = try load(baseLab).devices.map(\.identity)
        let second = try load(baseLab).devices.map(\.identity)
        #expect(first == second)
        let renamed = try load(baseLab.replacingOccurrences(of: "lab: unit", with: "lab: other")).devices.map(\.identity)
        #expect(first[0].mac != renamed[0].mac)
    }

    @Test func explicitIdentityAndOverrides() throws {
        let text = baseLab + """

          - model: laptop
            name: field-clone
            serial: "5CG1234XYZ"
            uuid: 4C4C4544-0042-3910-8052-B4C04F4D3233
            mac: "00-15-5D-01-02-03"
            smbios: { manufacturer: HP, product: EliteBook 840 G8, sku: 3C8G1EA#ABD, boardSerial: PXB123 }
            assetTag: "CT-{seq:03}"
            assignedUser: user@contoso.com
        """
        let device = try #require(try load(text).devices.last)
        #expect(device.identity.uuid == UUID(uuidString: "4C4C4544-0042-3910-8052-B4C04F4D3233"))
        #expect(device.identity.mac == MACAddress("00:15:5d:01:02:03"))
        #expect(device.identity.manufacturer == "HP")
        #expect(device.identity.sku == "3C8G1EA#ABD")
        #expect(device.identity.board.serial == "PXB123")
        #expect(device.identity.chassis.assetTag == "CT-001")
        #expect(device.assignedUser == "user@contoso.com")
    }

    @Test func aModelsBIOSIsItsDevicesSMBIOSTypeZeroAndADeviceMayRunAnotherVersion() throws {
        let text = baseLab.replacingOccurrences(of: "sku: LL-1", with: "sku: LL-1\n    bios: { vendor: Contoso BIOS, version: \"2.4.1\", date: 03/15/2025 }") + """

          - model: laptop
            name: old-firmware
            serial: OLD-1
            smbios: { biosVersion: "1.9.0" }
        """
        let devices = try load(text).devices
        #expect(devices[0].identity.bios == .init(vendor: "Contoso BIOS", version: "2.4.1", date: "03/15/2025"))
        #expect(devices.last?.identity.bios == .init(vendor: "Contoso BIOS", version: "1.9.0", date: "03/15/2025"))
        // Unsaid, the model's manufacturer makes a 1.0.0 firmware.
        #expect(try load(baseLab).devices[0].identity.bios == .init(vendor: "Contoso", version: "1.0.0", date: "01/01/2026"))
        let found = problems(baseLab.replacingOccurrences(of: "sku: LL-1", with: "sku: LL-1\n    bios: { date: 2025-03-15 }"))
        #expect(found.map(\.path) == ["models.laptop.bios.date"])
        #expect(found.first?.message.contains("SMBIOS writes MM/DD/YYYY") == true)
    }

    @Test func aModelIsUEFIWithSecureBootUnlessItSaysOtherwise() throws {
        let model = try load(baseLab).models[0]
        #expect(model.firmware == .uefi && model.secureBoot && model.tpm == .v2_0)
        let legacy = try load(baseLab.replacingOccurrences(of: "sku: LL-1", with: "sku: LL-1\n    firmware: bios\n    tpm: none")).models[0]
        #expect(legacy.firmware == .bios && !legacy.secureBoot && legacy.tpm == DeviceModel.TPM.none)
        let off = try load(baseLab.replacingOccurrences(of: "sku: LL-1", with: "sku: LL-1\n    secureBoot: false")).models[0]
        #expect(off.firmware == .uefi && !off.secureBoot)
        // Secure Boot is UEFI's: asked of a BIOS, the line is named.
        let found = problems(baseLab.replacingOccurrences(of: "sku: LL-1", with: "sku: LL-1\n    firmware: bios\n    secureBoot: true"))
        #expect(found.map(\.path) == ["models.laptop.secureBoot"])
        #expect(found.first?.message.contains("Secure Boot is a UEFI feature") == true)
        #expect(problems(baseLab.replacingOccurrences(of: "sku: LL-1", with: "sku: LL-1\n    firmware: efi")).map(\.path) == ["models.laptop.firmware"])
    }

    @Test func fieldBugsCanBeReproducedOnPurpose() throws {
        let text = baseLab + """

          - model: laptop
            count: 2
            name: oem-{seq}
            serial: Default string
            reproduce: [placeholder-serial, duplicate-serial]
        """
        let devices = try load(text).devices.filter { $0.name.hasPrefix("oem-") }
        #expect(devices.map(\.identity.serial) == ["Default string", "Default string"])
        #expect(devices[0].reproduces == [.placeholderSerial, .duplicateSerial])
    }

    @Test func jsonIsAcceptedToo() throws {
        let json = #"{"lab": "j", "models": {"m": {"manufacturer": "A", "product": "B"}}, "fleet": [{"model": "m", "serial": "S-1"}]}"#
        #expect(try load(json).devices.map(\.identity.serial) == ["S-1"])
    }
}

@Suite("lab files: every problem is reported with file, line, column and field")
struct InvalidLabFileTests {
    @Test func unknownFieldSuggestsTheRightOne() {
        let found = problems(baseLab.replacingOccurrences(of: "groupTag: Sales", with: "grouptag: Sales"))
        #expect(found.count == 1)
        let problem = found[0]
        #expect(problem.file == "lab.yaml")
        #expect(problem.line == 11)
        #expect(problem.column == 5)
        #expect(problem.path == "fleet[0].grouptag")
        #expect(problem.message.contains("did you mean 'groupTag'?"))
        #expect(problem.description.hasPrefix("lab.yaml:11:5: fleet[0].grouptag: unknown field"))
    }

    @Test func unknownTopLevelSection() {
        let found = problems(baseLab + "\nprofils: []\n")
        #expect(found.map(\.path) == ["profils"])
        #expect(found[0].message.contains("did you mean 'profiles'?"))
    }

    @Test func allProblemsAreReportedAtOnce() {
        let text = baseLab
            .replacingOccurrences(of: "count: 3", with: "count: three")
            .replacingOccurrences(of: "sku: LL-1", with: "sku: LL-1\n    tpm: 3.0")
        let found = problems(text)
        #expect(found.map(\.path) == ["models.laptop.tpm", "fleet[0].count"])
        #expect(found[0].message.contains("is not one of: none, 1.2, 2.0"))
        #expect(found[1].message.contains("expected a whole number, found 'three'"))
    }

    @Test func missingRequiredFields() {
        let found = problems("lab: x\nmodels:\n  m:\n    product: P\nfleet:\n  - count: 2\n")
        #expect(found.map(\.path) == ["models.m.manufacturer", "fleet[0].model", "fleet[0].serial"])
        #expect(found.allSatisfy { $0.message == "required field is missing" })
    }

    @Test func unknownModelAndHost() {
        let text = baseLab.replacingOccurrences(of: "  - model: laptop\n", with: "  - model: laptp\n")
        #expect(problems(text).first?.message.contains("no model 'laptp' in `models` (did you mean 'laptop'?)") == true)
        let hostText = baseLab + "\n    host: rack-2\n"
        #expect(problems(hostText).first?.message.contains("no host 'rack-2'") == true)
    }

    @Test func duplicateSerialsNameBothDevices() {
        let text = baseLab + "\n  - model: laptop\n    name: extra\n    serial: LL-0002\n"
        let found = problems(text)
        #expect(found.count == 1)
        #expect(found[0].path == "fleet[1].serial")
        #expect(found[0].line == 14)
        #expect(found[0].column == 13)
        #expect(found[0].message.contains("also the serial of unit-laptop-02"))
        #expect(found[0].message.contains("reproduce: [duplicate-serial]"))
    }

    @Test(arguments: ["Default string", "To be filled by O.E.M.", "System Serial Number", "0", "\"\""])
    func placeholderSerialsAreRejected(serial: String) {
        let text = baseLab.replacingOccurrences(of: "count: 3\n    serial: \"LL-{seq:04}\"", with: "serial: \(serial)")
        let found = problems(text)
        let message = found.first { $0.path == "fleet[0].serial" }?.message ?? ""
        #expect(message.contains("placeholder serial") || message.contains("must not be empty"), "\(found)")
    }

    @Test func aPatternWithoutSequenceGivesEveryDeviceOneSerial() {
        let found = problems(baseLab.replacingOccurrences(of: "LL-{seq:04}", with: "LL-0001"))
        #expect(found.first?.message.contains("all 3 devices would share one serial") == true)
    }

    @Test func badPatterns() {
        let found = problems(baseLab.replacingOccurrences(of: "LL-{seq:04}", with: "LL-{sequence}"))
        #expect(found.first?.message.contains("{sequence} is not a placeholder") == true)
    }

    @Test func duplicateDeviceNames() {
        let found = problems(baseLab + "\n  - model: laptop\n    serial: X-{seq}\n")
        #expect(found.first?.message.contains("device name 'unit-laptop-01' is also produced by fleet[0]") == true)
    }

    @Test func invalidIdentityValues() {
        let text = baseLab + """

          - model: laptop
            name: bad id
            serial: "S\\u00e9rie"
            uuid: not-a-uuid
            mac: "01:00:5e:00:00:01"
            assignedUser: nobody
            groupTag: "Sales,East"
        """
        let found = problems(text)
        let messages = found.map(\.message).joined(separator: "\n")
        #expect(messages.contains("'not-a-uuid' is not a UUID"))
        #expect(messages.contains("multicast"))
        #expect(messages.contains("'nobody' is not a user principal name"))
        #expect(messages.contains("commas, quotes and non-ASCII"))
        #expect(messages.contains("SMBIOS strings are printable ASCII"))
        #expect(messages.contains("device name 'bad id' may use letters"))
    }

    @Test func duplicateExplicitMACs() {
        let text = baseLab + """

          - { model: laptop, name: a, serial: A1, mac: "52:54:00:00:00:01" }
          - { model: laptop, name: b, serial: B1, mac: "52:54:00:00:00:01" }
        """
        #expect(problems(text).map(\.message) == ["MAC 52:54:00:00:00:01 is given to another device too"])
    }

    @Test func singleDeviceFieldsWithACount() {
        let found = problems(baseLab + "\n    uuid: 4C4C4544-0042-3910-8052-B4C04F4D3233\n")
        #expect(found.first?.message == "applies to one device only, but count is 3")
    }

    @Test func yamlSyntaxErrorsHaveAPosition() {
        let found = problems("lab: x\nmodels: {m: [\n")
        #expect(found.count == 1)
        #expect(found[0].line >= 2)
        #expect(found[0].message.hasPrefix("not valid YAML"))
    }

    @Test func repeatedKeys() {
        let found = problems(baseLab + "\n    groupTag: Finance\n")
        #expect(found.first?.message == "'groupTag' appears more than once in the same mapping")
        #expect(found.first?.line == 11)
    }

    @Test func profilesAreChecked() {
        let text = baseLab + """

        groups:
          - name: Sales devices
            rule: (device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))
        profiles:
          - displayName: Too long a name
            deviceNameTemplate: "CONTOSO-LAPTOP-%RAND:4%"
            assignments: [Sales devcies]
          - displayName: Hybrid
            joinType: hybrid
          - displayName: Kiosk
            outOfBoxExperienceSettings: { deviceUsageType: shared, userType: guest }
            enableWhiteGlove: true
        """
        let messages = problems(text).map(\.message).joined(separator: "\n")
        #expect(messages.contains("the name would be 19 characters before any serial; the limit is 15"))
        #expect(messages.contains("assigned to 'Sales devcies', which is not a group in `groups` (did you mean 'Sales devices'?)"))
        #expect(messages.contains("required field is missing"))  // hybrid needs domainJoinConfiguration
        #expect(messages.contains("'guest' is not one of: administrator, standard"))
        #expect(messages.contains("pre-provisioning applies to user-driven profiles"))
    }

    @Test func espReferencesApps() {
        let text = baseLab + """

        apps:
          - displayName: Company Portal
        esp:
          - displayName: ESP
            selectedMobileAppIds: [Company Portal, Missing App]
            installProgressTimeoutInMinutes: 0
        """
        let messages = problems(text).map(\.message)
        #expect(messages.contains("no app 'Missing App' in `apps`"))
        #expect(messages.contains("0 is out of range (1...1440)"))
    }

    @Test func aHostIsAURIOrAURIWithTheAddressItsVMsBootFrom() throws {
        let labFile = try load(baseLab.replacingOccurrences(of: "models:", with: """
            hosts:
              here: qemu:///system
              rack2: { uri: "qemu+tcp://root@198.18.0.2:16509/system", bootAddress: 198.18.0.1 }
              rack3: qemu+ssh://lab@[2001:db8::3]/system
            models:
            """))
        #expect(labFile.hosts.map(\.bootAddress) == [nil, "198.18.0.1", nil])
        #expect(labFile.hosts.map(\.remoteMachine) == [nil, "198.18.0.2", "2001:db8::3"])
        #expect(LabHost(name: "x", uri: "qemu+tcp://localhost/system").remoteMachine == nil)
        let found = problems(baseLab.replacingOccurrences(of: "models:", with: """
            hosts:
              rack2: { uri: "qemu+tcp://198.18.0.2/system", bootAddress: "http://198.18.0.1/" }
              rack3: { bootAddress: 198.18.0.5 }
            models:
            """)).map { "\($0.path): \($0.message)" }
        #expect(found.contains("hosts.rack2.bootAddress: 'http://198.18.0.1/' is not an address (an IPv4 or IPv6 address or a host name) this host's VMs reach the controller at"), "\(found)")
        #expect(found.contains("hosts.rack3.uri: required field is missing"), "\(found)")
    }

    /// A host's swtpm local CA, copied from it: a path beside the lab file, which must exist.
    @Test func aHostsEKAuthorityIsAPathBesideTheLabFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pxelab-lab-file-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("cas/rack2"), withIntermediateDirectories: true)
        let hosts = """
            hosts:
              here: qemu:///system
              rack2: { uri: "qemu+tcp://198.18.0.2/system", ekAuthority: cas/rack2 }
            models:
            """
        let labFile = try LabFile.parse(baseLab.replacingOccurrences(of: "models:", with: hosts), file: folder.appendingPathComponent("lab.yaml").path)
        #expect(labFile.hosts.map(\.ekAuthority?.path) == [nil, folder.appendingPathComponent("cas/rack2").standardizedFileURL.path])
        let found = problems(baseLab.replacingOccurrences(of: "models:", with: hosts)).map { "\($0.path) (line \($0.line)): \($0.message)" }
        #expect(found.count == 1 && found[0].hasPrefix("hosts.rack2.ekAuthority (line 4): 'cas/rack2' ("), "\(found)")
        #expect(found.first?.contains("does not exist: give the folder of the host's swtpm local CA") == true, "\(found)")
    }

    @Test func compliancePoliciesAndConditionalAccessAreChecked() {
        let text = baseLab + """

        compliance:
          - displayName: Baseline
            "@odata.type": "#microsoft.graph.iosCompliancePolicy"
            secureBootEnabled: true
            bitLockerEnabled: true
            codeIntegrityEnabled: false
            assignments: [Nobody]
        conditionalAccess:
          - displayName: Require compliant device
            state: on
            grantControls: { builtInControls: [compliantDevice, mfa] }
          - displayName: Nothing granted
            grantControls: { builtInControls: [] }
        """
        let found = problems(text)
        let messages = found.map { "\($0.path): \($0.message)" }
        #expect(messages.contains("compliance[0].@odata.type: '#microsoft.graph.iosCompliancePolicy' is not #microsoft.graph.windows10CompliancePolicy: the lab evaluates Windows compliance policies only"), "\(messages)")
        #expect(messages.contains("compliance[0].bitLockerEnabled: the lab does not evaluate 'bitLockerEnabled' (only secureBootEnabled and tpmRequired); set it false or remove it"), "\(messages)")
        #expect(!messages.contains { $0.contains("codeIntegrityEnabled") }, "a setting that is off pastes in")
        #expect(messages.contains { $0.hasPrefix("compliance[0]: assigned to 'Nobody'") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("conditionalAccess[0].state: 'on' is not one of: enabled, disabled, enabledForReportingButNotEnforced") }, "\(messages)")
        #expect(messages.contains("conditionalAccess[0].grantControls.builtInControls: 'mfa' is not modelled: the lab's Conditional Access grants require a compliant device (compliantDevice)"), "\(messages)")
        #expect(messages.contains("conditionalAccess[1].grantControls.builtInControls: list compliantDevice: the grant the lab models"), "\(messages)")
        #expect(found.allSatisfy { $0.line > 0 }, "every problem names its line")
    }

    @Test func scenarioStepsAreChecked() {
        let text = baseLab + """

        scenario:
          - deploy: all
          - wait: all
          - expect: { group: Sales }
            state: business-ready
            errorCode: 0x80070774
          - reboot: all
          - power: unit-laptop-01
            action: hibernate
        """
        let found = problems(text)
        #expect(found.map(\.path) == ["scenario[1].state", "scenario[3]", "scenario[4].action"])
        #expect(found[1].message.contains("a step needs one action"))
    }

    @Test func unreadableFile() {
        let error = #expect(throws: LabFileError.self) { try LabFile.load(file: "/nonexistent/lab.yaml") }
        #expect(error?.diagnostics.first?.message.contains("cannot read the file") == true)
    }
}

@Suite("device name templates")
struct DeviceNameTemplateTests {
    @Test func validTemplatesRender() throws {
        let serial = try DeviceNameTemplate("CTS-%SERIAL%")
        #expect(serial.name(serial: "0F300001263", randomDigit: { 0 }) == "CTS-0F300001263")
        #expect(serial.name(serial: "5CG1234567890XYZ", randomDigit: { 0 }) == "CTS-5CG12345678")
        let random = try DeviceNameTemplate("SALES-%RAND:4%")
        var digits = [1, 2, 3, 4].makeIterator()
        #expect(random.name(serial: "x", randomDigit: { digits.next()! }) == "SALES-1234")
    }

    @Test(arguments: [
        ("", "the template is empty"),
        ("has space", "names cannot contain spaces"),
        ("LAB_%SERIAL%", "'_' is not allowed"),
        ("lab-%serial%", "must be written in upper case"),
        ("X-%RAND:0%", "is not a macro"),
        ("1234%RAND:3%", "names cannot be only digits"),
        ("CONTOSOLAPTOP15%SERIAL%", "no room is left for %SERIAL%"),
        ("ABC%", "starts no macro"),
    ])
    func invalidTemplates(template: String, problem: String) {
        let error = #expect(throws: DeviceNameTemplateError.self) { try DeviceNameTemplate(template) }
        #expect(error?.problems.contains { $0.contains(problem) } == true, "\(error?.problems ?? [])")
    }
}

@Suite("profiles as Graph JSON")
struct GraphProfileTests {
    @Test(arguments: ["Sales - user-driven Entra join", "Finance - hybrid join", "Kiosk - self-deploying", "Field - pre-provisioned"])
    func exportThenImportGivesTheSameProfile(name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Topologies/demo.yaml")
        let profile = try #require(try LabFile.load(file: url.path).profiles.first { $0.displayName == name })
        let json = String(decoding: profile.graphJSON(), as: UTF8.self)
        #expect(json.contains(profile.odataType))
        #expect(try LabFile.readProfile(json, file: "export.json", lab: "demo") == profile)
    }

    func readProfile(_ text: String) throws(LabFileError) -> DeploymentProfile {
        try LabFile.readProfile(text, file: "body.json", lab: "demo")
    }

    /// The diagnostics for a profile that must be refused.
    func refused(_ text: String) -> [Diagnostic] { problems(of: "the profile") { () throws(LabFileError) in try readProfile(text) } }

    @Test func anEscapedSurrogatePairIsTheCharacter() throws {
        let profile = try readProfile(#"{"displayName": "Kiosk \ud83d\ude00", "description": "\uD83C\uDDE9\uD83C\uDDEA \u00e9 \\ud83d"}"#)
        #expect(profile.displayName == "Kiosk \u{1F600}")
        // Upper-case hex too; an escaped backslash before `ud83d` is a backslash, not an escape.
        #expect(profile.description == "\u{1F1E9}\u{1F1EA} é \\ud83d")
        // A YAML document is YAML: it is not rewritten (a plain scalar keeps its backslashes).
        #expect(try readProfile(#"displayName: Kiosk \ud83d\ude00"#).displayName == #"Kiosk \ud83d\ude00"#)
    }

    @Test(arguments: [
        (#"{"displayName": "Kiosk \ud83d"}"#, 24, #"'\ud83d' is the first half of a UTF-16 surrogate pair"#),
        (#"{"displayName": "Kiosk \ud83d\u0041"}"#, 24, #"'\ud83d' is the first half"#),
        (#"{"displayName": "Kiosk \ude00 \ud83d\ude00"}"#, 24, #"'\ude00' is the second half of a UTF-16 surrogate pair"#),
        (#"{"displayName": "\\\ude00"}"#, 20, #"'\ude00' is the second half"#),
    ])
    func anUnpairedSurrogateIsAnErrorAtItsPosition(json: String, column: Int, message: String) {
        let found = refused(json)
        #expect(found.count == 1)
        #expect(found.first?.line == 1 && found.first?.column == column, "\(found)")
        #expect(found.first?.message.contains(message) == true, "\(found)")
        #expect(found.first?.description.hasPrefix("body.json:1:\(column): ") == true)
    }

    @Test func columnsAfterARewrittenPairAreTheColumnsAsWritten() {
        let json = #"{"displayName": "\ud83d\ude00 \ud83d\ude00", "deviceType": "toaster"}"#
        let column = json.distance(from: json.startIndex, to: json.range(of: #""toaster""#)!.lowerBound) + 1
        #expect(refused(json).map(\.column) == [column])
        let lines = #"""
            {
              "displayName": "\ud83d\ude00", "deviceType": "toaster"
            }
            """#
        #expect(refused(lines).map { "\($0.line):\($0.column)" } == ["2:48"])
    }

    @Test func nullIsAbsentForOptionalFields() throws {
        let profile = try readProfile(#"{"displayName": "Kiosk", "description": null, "deviceNameTemplate": null, "id": null, "language": null}"#)
        #expect(profile.description == nil && profile.deviceNameTemplate == nil && profile.language == "os-default")
        #expect(profile.id == (try readProfile(#"{"displayName": "Kiosk"}"#)).id)
        for written in ["null", "~", "Null", "NULL", ""] {
            #expect(try readProfile("displayName: Kiosk\ndescription: \(written)\n").description == nil, "\(written)")
        }
        // Quoted, it is text.
        #expect(try readProfile(#"{"displayName": "Kiosk", "description": "null"}"#).description == "null")
        #expect(try readProfile("displayName: Kiosk\ndescription: '~'\n").description == "~")
    }

    @Test func nullIsAnErrorForRequiredFields() {
        let found = refused(#"{"displayName": null}"#)
        #expect(found.map(\.message) == ["must not be null"])
        #expect(found.map(\.path) == ["displayName"])
        #expect(refused("displayName: ~\n").map(\.message) == ["must not be null"])
        #expect(refused("displayName:\n").map(\.message) == ["must not be empty"])
    }

    @Test func jsonTextValuesAreJSONStrings() throws {
        let found = refused(#"{"displayName": "X", "description": 5, "deviceNameTemplate": true, "roleScopeTagIds": ["0", 1]}"#)
        #expect(found.map(\.message) == ["expected a text value (a JSON string), found 5",
                                         "expected a text value (a JSON string), found true",
                                         "expected a text value (a JSON string), found 1"], "\(found)")
        #expect(found.map(\.path) == ["description", "deviceNameTemplate", "roleScopeTagIds[1]"])
        #expect(refused(#"{"displayName": 5}"#).map(\.message) == ["expected a text value (a JSON string), found 5"])
        // Numbers and booleans where they belong stay numbers and booleans.
        let hybrid = try readProfile(#"""
            {"displayName": "H", "joinType": "hybrid", "hybridAzureADJoinSkipConnectivityCheck": true,
             "domainJoinConfiguration": {"activeDirectoryDomainName": "corp.example", "computerNameStaticPrefix": "HY-",
                                         "computerNameSuffixRandomCharCount": 8}}
            """#)
        guard case .hybrid(let settings) = hybrid.join else { Issue.record("not hybrid"); return }
        #expect(settings.randomSuffixLength == 8 && settings.skipConnectivityCheck)
        // In YAML an unquoted scalar is text where text is expected.
        #expect(try readProfile("displayName: 1234\n").displayName == "1234")
    }

    @Test func aLabFileKeepsItsPlainScalarsAsText() throws {
        let text = baseLab.replacingOccurrences(of: "groupTag: Sales", with: "groupTag: 1234\n    purchaseOrder: 0001")
        let devices = try load(text).devices
        #expect(devices.map(\.groupTag) == ["1234", "1234", "1234"])
        #expect(devices.map(\.purchaseOrder) == ["0001", "0001", "0001"])
        // The same as JSON: text values are strings there, numbers stay numbers.
        let json = #"{"lab": "j", "models": {"m": {"manufacturer": "A", "product": "B"}}, "fleet": [{"model": "m", "serial": "0001", "count": 1, "groupTag": 1234}]}"#
        #expect(problems(json).map(\.message) == ["expected a text value (a JSON string), found 1234"])
    }

    @Test func ruleErrorsShowTheColumn() {
        let found = problems(baseLab + """

        groups:
          - name: Broken
            rule: (device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales")
        """)
        #expect(found.first?.path == "groups[0].rule")
        #expect(found.first?.message.contains("rule column 57: expected ')' to close the '('") == true)
    }
}
