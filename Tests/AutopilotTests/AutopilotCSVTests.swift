import Foundation
import Testing
import DeviceIdentity
@testable import Autopilot

let tenantID = UUID(uuidString: "6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13")!

func hash(_ serial: String) -> String {
    HardwareHashEncoder.encode(HashedHardware(identity: sampleIdentity(serial: serial), tpm: .v2_0))
}

func csv(_ lines: [String], lineEnd: String = "\r\n") -> String { lines.joined(separator: lineEnd) + lineEnd }

/// Every problem of a file that must be refused.
func csvProblems(_ text: String, encoding: String.Encoding = .utf8) -> [CSVProblem] {
    do {
        _ = try AutopilotCSV.read(text.data(using: encoding)!, source: "devices.csv")
        Issue.record("the file was accepted")
        return []
    } catch {
        return error.problems
    }
}

@Suite("hardware-hash CSV: reading every variant")
struct CSVReadingTests {
    let header3 = "Device Serial Number,Windows Product ID,Hardware Hash"

    @Test func threeColumns() throws {
        let rows = try AutopilotCSV.read(Data(csv([header3, "S-1,,\(hash("S-1"))"]).utf8), source: "a.csv")
        #expect(rows == [CSVDevice(line: 2, serialNumber: "S-1", hardwareHash: hash("S-1"))])
    }

    @Test func groupTagAndAssignedUser() throws {
        let text = csv(["\(header3),Group Tag,Assigned User", "S-1,,\(hash("S-1")),Sales,adele@contoso.com",
                        "S-2,,\(hash("S-2")),,"])
        let rows = try AutopilotCSV.read(Data(text.utf8), source: "a.csv")
        #expect(rows.map(\.groupTag) == ["Sales", nil])
        #expect(rows.map(\.assignedUser) == ["adele@contoso.com", nil])
    }

    @Test func partnerTupleRows() throws {
        let text = csv(["\(header3),Manufacturer name,Device model", "S-1,,,Contoso,Lab PC", "S-2,,\(hash("S-2")),,"])
        let rows = try AutopilotCSV.read(Data(text.utf8), source: "p.csv")
        #expect(rows[0].hardwareHash == nil)
        #expect(rows[0].manufacturer == "Contoso")
        #expect(rows[1].hardwareHash != nil)
    }

    @Test(arguments: ["utf16le-bom", "utf8-bom", "utf8", "ansi", "lf"])
    func encodingsAndLineEnds(variant: String) throws {
        let user = "Ren\u{E9}e@contoso.com"
        let text = csv(["\(header3),Group Tag,Assigned User", "S-1,,\(hash("S-1")),Sales,\(user)"],
                       lineEnd: variant == "lf" ? "\n" : "\r\n")
        let data: Data = switch variant {
        case "utf16le-bom": Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!
        case "utf8-bom": Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)
        case "ansi": text.data(using: .windowsCP1252)!
        default: Data(text.utf8)
        }
        let rows = try AutopilotCSV.read(data, source: "e.csv")
        #expect(rows.map(\.serialNumber) == ["S-1"])
        #expect(rows[0].assignedUser == user)
    }
}

@Suite("hardware-hash CSV: Intune's rules, every bad row reported")
struct CSVRuleTests {
    let header3 = "Device Serial Number,Windows Product ID,Hardware Hash"

    @Test func headersAreCaseSensitive() {
        let found = csvProblems(csv(["Device serial number,Windows Product ID,Hardware Hash", "S-1,,\(hash("S-1"))"]))
        #expect(found == [CSVProblem(line: 1, column: nil,
            message: "headers are case-sensitive: expected 'Device Serial Number,Windows Product ID,Hardware Hash'")])
    }

    @Test func extraColumnsAndQuotes() {
        let found = csvProblems(csv([header3, "S-1,,\(hash("S-1")),extra", "\"S-2\",,\(hash("S-2"))"]))
        #expect(found.map(\.line) == [2, 3])
        #expect(found[0].message.contains("extra columns are not allowed"))
        #expect(found[1] == CSVProblem(line: 3, column: "Device Serial Number", message: "quotes are not allowed in an Autopilot CSV"))
    }

    @Test func atMost500Rows() {
        let rows = (1...501).map { "S-\($0),,\(hash("S"))" }
        let found = csvProblems(csv([header3] + rows))
        #expect(found.contains { $0.message.contains("the file has 501 devices; Intune imports at most 500") })
    }

    @Test func duplicateAndPlaceholderSerials() {
        let found = csvProblems(csv([header3, "S-1,,\(hash("S-1"))", "S-1,,\(hash("S-1"))", "Default string,,\(hash("x"))"]))
        #expect(found == [
            CSVProblem(line: 3, column: "Device Serial Number", message: "serial 'S-1' is also on line 2"),
            CSVProblem(line: 4, column: "Device Serial Number",
                       message: "'Default string' is a placeholder serial; devices sharing it cannot be told apart"),
        ])
    }

    @Test func unpaddedAndCorruptHashes() throws {
        // 2,999 bytes (one trailing zero fewer) need one '=' of padding, which devices leave out.
        let bytes = try Base64.decode(hash("S-1")).dropLast()
        var unpadded = Base64.encode(Array(bytes))
        #expect(unpadded.hasSuffix("="))
        while unpadded.hasSuffix("=") { unpadded.removeLast() }
        let found = csvProblems(csv([header3, "S-1,,\(unpadded)", "S-2,,T0Fz!!!!", "S-3,,"]))
        #expect(found.map(\.line) == [2, 3, 4])
        #expect(found[0].message.contains("Edm.Binary"))
        #expect(found[1].message.contains("is not a base64 character"))
        #expect(found[2].message == "the hardware hash is empty")
        #expect(found.allSatisfy { $0.column == "Hardware Hash" })
    }

    @Test func badUser() {
        let found = csvProblems(csv(["\(header3),Group Tag,Assigned User", "S-1,,\(hash("S-1")),Sales,adele"]))
        #expect(found.first?.column == "Assigned User")
    }
}

@Suite("registration against the registry")
struct RegistrationTests {
    func rows(_ serials: [String]) -> [CSVDevice] {
        serials.enumerated().map { CSVDevice(line: $0 + 2, serialNumber: $1, hardwareHash: hash($1)) }
    }

    @Test func alreadyRegisteredHereOrElsewhereFailsTheWholeImport() {
        let now = Date()
        let existing = [
            RegisteredDevice(id: "z1", tenantID: tenantID, serialNumber: "S-1", hardwareHash: nil, registeredAt: now, source: "earlier.csv"),
            RegisteredDevice(id: "z2", tenantID: UUID(), serialNumber: "S-3", hardwareHash: nil, registeredAt: now, source: "other"),
        ]
        let error = #expect(throws: CSVImportError.self) {
            try Registration.register(rows(["S-1", "S-2", "S-3"]), source: "new.csv", tenant: tenantID, existing: existing,
                                      at: now, makeID: { "id" })
        }
        #expect(error?.problems.map(\.line) == [2, 4])
        #expect(error?.problems[0].message.contains("already registered (ZTDId z1, from earlier.csv)") == true)
        #expect(error?.problems[1].message.contains("ZtdDeviceAssignedToOtherTenant") == true)
    }

    @Test func exportThenImportGivesTheSameRegistry() throws {
        var counter = 0
        let imported = try Registration.register(
            [CSVDevice(line: 2, serialNumber: "S-1", hardwareHash: hash("S-1"), groupTag: "Sales", assignedUser: "a@contoso.com"),
             CSVDevice(line: 3, serialNumber: "S-2", hardwareHash: hash("S-2"), groupTag: "Kiosk")],
            source: "in.csv", tenant: tenantID, existing: [], at: Date(), makeID: { counter += 1; return "z\(counter)" })
        let exported = AutopilotCSV.write(imported)
        #expect(exported.allSatisfy { $0 < 0x80 })
        #expect(String(decoding: exported, as: UTF8.self).hasPrefix(
            "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User\r\nS-1,,T0"))
        let again = try AutopilotCSV.read(exported, source: "out.csv")
        #expect(again.map(\.serialNumber) == ["S-1", "S-2"])
        #expect(again.map(\.hardwareHash) == imported.map(\.hardwareHash))
        #expect(again.map(\.groupTag) == ["Sales", "Kiosk"])
        #expect(again.map(\.assignedUser) == ["a@contoso.com", nil])
    }

    @Test func tupleRegistrationsExportInThePartnerLayout() throws {
        let device = RegisteredDevice(id: "z", tenantID: tenantID, serialNumber: "S-9", hardwareHash: nil, manufacturer: "Contoso",
                                      model: "Lab PC", registeredAt: Date(), source: "p.csv")
        let text = String(decoding: AutopilotCSV.write([device]), as: UTF8.self)
        #expect(text == "Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\r\nS-9,,,Contoso,Lab PC\r\n")
    }
}
