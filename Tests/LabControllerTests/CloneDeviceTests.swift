import Foundation
import Testing
import Autopilot
import LabController
import LabService
import LabFiles
import LibvirtXML
import TestSupport

@Suite("cloning a field device")
struct CloneDeviceTests {
    @Test func aUTF16CSVBecomesALabDeviceThatUpDefinesWithTheDecodedSerial() throws {
        // What Get-WindowsAutopilotInfo writes under Windows PowerShell 5.1: UTF-16LE with a BOM,
        // CRLF, an unpadded hash; the device is an HP with a real-looking identity.
        let source = try LabFile.parse("""
            lab: field
            models:
              hp: { manufacturer: HP, product: HP EliteBook 840 G8 Notebook PC, sku: "3C8G1EA#ABD", family: 103C_5336AN HP EliteBook, tpm: "2.0", chassis: notebook }
            fleet:
              - { model: hp, name: x, serial: 5CG1234XYZ, uuid: 4C4C4544-0042-3910-8052-B4C04F4D3233, mac: "00:15:5d:01:02:03" }
            """, file: "field.yaml")
        let fieldHash = source.hardwareHash(of: source.devices[0])
        let csv = "Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\r\n5CG1234XYZ,,\(fieldHash),Finance\r\n"
        let data = Data([0xFF, 0xFE]) + csv.data(using: .utf16LittleEndian)!

        let rows = try AutopilotCSV.read(data, source: "field.csv", rules: .fieldCollection)
        let labText = try FieldDeviceClone.labFile(lab: "repro", rows: rows, source: "field.csv")
        let labFile = try LabFile.parse(labText, file: "repro.yaml")
        let device = try #require(labFile.devices.first)
        #expect(device.identity.serial == "5CG1234XYZ")
        #expect(device.identity.manufacturer == "HP")
        #expect(device.identity.sku == "3C8G1EA#ABD")
        #expect(device.identity.uuid == UUID(uuidString: "4C4C4544-0042-3910-8052-B4C04F4D3233"))
        #expect(device.identity.mac.description == "00:15:5d:01:02:03")
        #expect(device.groupTag == "Finance")
        #expect(labFile.hardwareHash(of: device) == fieldHash)

        let root = makeTemporaryDirectory("pxelab-state")
        let directory = LabDirectory(root: root, lab: "repro")
        #expect(try LabProvisioner(labFile: labFile, directory: directory).up().map(\.action) == [.defined])
        let stored = try EmbeddedHost.open(in: directory).domains().map { try DomainSpec(xml: $0.xmlDescription()) }
        #expect(stored.first?.sysinfo?.system.serial == "5CG1234XYZ")
        #expect(stored.first?.sysinfo?.system.uuid == "4c4c4544-0042-3910-8052-b4c04f4d3233")
    }

    @Test func aPlaceholderSerialIsClonedAsTheFieldBugItIs() throws {
        let source = try LabFile.parse("""
            lab: field
            models: { pc: { manufacturer: OEM, product: Box } }
            fleet: [{ model: pc, name: x, serial: Default string, reproduce: [placeholder-serial] }]
            """, file: "f.yaml")
        let csv = "Device Serial Number,Windows Product ID,Hardware Hash\nDefault string,,\(source.hardwareHash(of: source.devices[0]))\n"
        let rows = try AutopilotCSV.read(Data(csv.utf8), source: "f.csv", rules: .fieldCollection)
        let labFile = try LabFile.parse(try FieldDeviceClone.labFile(lab: "repro", rows: rows, source: "f.csv"), file: "r.yaml")
        #expect(labFile.devices.first?.reproduces == [.placeholderSerial])
    }
}
