import Foundation
import Testing
import DeviceIdentity
@testable import Autopilot

func fixture(_ name: String) -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return try! String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
}

func sampleIdentity(serial: String = "5CG1234XYZ", mac: String = "52:54:00:12:34:56") -> DeviceIdentity {
    DeviceIdentity(serial: serial, manufacturer: "HP", product: "HP EliteBook 840 G8 Notebook PC", version: "SBKPF",
                   sku: "3C8G1EA#ABD", family: "103C_5336AN HP EliteBook", uuid: UUID(uuidString: "4C4C4544-0042-3910-8052-B4C04F4D3233")!,
                   mac: MACAddress(mac)!, board: .init(manufacturer: "HP", product: "880D", version: "KBC Version 30.55.00", serial: "PXB123"),
                   chassis: .init(manufacturer: "HP", serial: serial, type: .notebook))
}

@Suite("hardware hash: encoding lab devices")
struct HardwareHashEncodingTests {
    @Test(arguments: HashedHardware.TPMVersion.allCases)
    func encodeThenDecodeGivesTheIdentityBack(tpm: HashedHardware.TPMVersion) throws {
        let identity = sampleIdentity()
        let text = HardwareHashEncoder.encode(HashedHardware(identity: identity, tpm: tpm, ramGB: 16, diskGB: 512, cpuCores: 4))
        #expect(text.count == 4000)
        #expect(text.hasPrefix("T0"))
        #expect(Base64Padding.isPadded(text))
        let hash = try HardwareHash(base64: text)
        #expect(hash.checksumValid)
        #expect(hash.serial == identity.serial)
        #expect(hash.manufacturer == "HP")
        #expect(hash.product == identity.product)
        #expect(hash.sku == identity.sku)
        #expect(hash.family == identity.family)
        #expect(hash.systemVersion == identity.version)
        #expect(hash.uuid == identity.uuid)
        #expect(hash.macAddresses == [identity.mac])
        #expect(hash.boardProduct == "880D")
        #expect(hash.boardVersion == "KBC Version 30.55.00")
        #expect(hash.chassisType == ChassisType.notebook.rawValue)
        #expect(hash.powerPlatformRole == 2)
        #expect(hash.ramGB == 16)
        #expect(hash.cpuCores == 4)
        #expect(hash.diskCapacityGB == 549)
        #expect(hash.productKeyID?.count == 13)
        #expect(hash.tpmVersion == (tpm == .none ? nil : tpm.rawValue))
        #expect(hash.tpmVendor == (tpm == .none ? nil : "IFX"))
        #expect(hash.hasEndorsementKey == (tpm != .none))
        #expect(hash.offlineDeviceID?.count == 64)
        #expect(hash.records.map(\.type).prefix(11) == [1, 2, 5, 3, 4, 6, 7, 8, 9, 27, 10])
    }

    @Test func aRealTPMsEndorsementKeyAndDiskAreTheOnesDecoded() throws {
        let modulus = (0..<256).map { UInt8(truncatingIfNeeded: $0 * 31 + 1) }
        let text = HardwareHashEncoder.encode(HashedHardware(identity: sampleIdentity(), tpm: .v2_0, endorsementKey: modulus,
                                                             disk: .init(serial: "", model: "Virtio Block Device")))
        let hash = try HardwareHash(base64: text)
        #expect(hash.endorsementKeyDigest == SHA256.hash(modulus).map { String(format: "%02x", $0) }.joined())
        #expect(hash.offlineDeviceID == SHA256.hash(modulus).map { String(format: "%02x", $0) }.joined())
        #expect(hash.diskModel == "Virtio Block Device" && hash.diskSerial?.hasPrefix("PXL") == true)
    }

    @Test func aNewCollectionDiffersButKeepsTheSerial() throws {
        let identity = sampleIdentity()
        let first = HardwareHashEncoder.encode(HashedHardware(identity: identity, tpm: .v2_0, collection: 0))
        let again = HardwareHashEncoder.encode(HashedHardware(identity: identity, tpm: .v2_0, collection: 0))
        let second = HardwareHashEncoder.encode(HashedHardware(identity: identity, tpm: .v2_0, collection: 1))
        #expect(first == again)
        #expect(first != second)
        #expect(try HardwareHash(base64: second).serial == identity.serial)
        #expect(try HardwareHash(base64: second).offlineDeviceID == HardwareHash(base64: first).offlineDeviceID)
    }

    @Test func paddedAndUnpaddedDecodeAlike() throws {
        let full = try Base64.decode(HardwareHashEncoder.encode(HashedHardware(identity: sampleIdentity(serial: "ODD1"), tpm: .v2_0)))
        let text = Base64.encode(Array(full.dropLast(2)))  // 2,998 bytes: '==' padding
        #expect(text.hasSuffix("=="))
        var unpadded = text
        while unpadded.hasSuffix("=") { unpadded.removeLast() }
        #expect(try HardwareHash(base64: unpadded) == HardwareHash(base64: text))
        #expect(Base64Padding.padded(unpadded) == text)
    }

    @Test func base64RoundTripsEveryLength() throws {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8($0 * 37 % 256) }
            let text = Base64.encode(bytes)
            #expect(text == Data(bytes).base64EncodedString())
            #expect(try Base64.decode(text) == bytes)
        }
    }
}

@Suite("hardware hash: decoding real and broken hashes")
struct HardwareHashDecodingTests {
    /// A Hyper-V VM's hash from a public write-up (oofhours.com, 2022-08-02), cut after 765 bytes.
    @Test func aRealTruncatedHashIsReportedPreciselyWithWhatCameBefore() {
        let error = #expect(throws: HardwareHashError.self) {
            try HardwareHash(base64: fixture("hyperv-vm-hash-truncated.txt"))
        }
        #expect(error?.offset == 752)
        #expect(error?.record == 19)
        #expect(error?.type == 17)
        #expect(error?.message.contains("truncated") == true)
        let partial = error?.partial
        #expect(partial?.serial == "3762-6031-9351-8758-8222-9601-28")
        #expect(partial?.manufacturer == "Microsoft Corporation")
        #expect(partial?.macAddresses == [MACAddress("00:15:5d:e9:db:6f")!])
        #expect(partial?.osBuild == "10.0.25158.1000")
        #expect(partial?.cpuManufacturer == "AuthenticAMD")
        #expect(partial?.cpuModel?.hasPrefix("AMD Ryzen Threadripper PRO 3945WX") == true)
        #expect(partial?.tpmVersion == "2.0")
        #expect(partial?.tpmVendor == "MSFT")
        #expect(partial?.hasEndorsementKey == true)
        #expect(partial?.chassisType == 3)
        #expect(partial?.diskModel == "Virtual Disk")
        #expect(partial?.diskCapacityGB == 136)
        #expect(partial?.ramGB == 4)
        #expect(partial?.records.map(\.type) == [1, 2, 5, 3, 4, 6, 7, 8, 9, 27, 10, 13, 25, 11, 12, 14, 15, 16])
    }

    func bytes() -> [UInt8] {
        try! Base64.decode(HardwareHashEncoder.encode(HashedHardware(identity: sampleIdentity(), tpm: .v2_0)))
    }

    @Test func notBase64NamesTheCharacter() {
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(base64: "T0Fz!AAA") }
        #expect(error?.message == "not base64: character 5: '!' is not a base64 character")
    }

    @Test func wrongHeader() {
        var data = bytes()
        data[0] = 0x50
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: data) }
        #expect(error?.offset == 0)
        #expect(error?.message == "the header is 0x50 0x41, not 'OA'")
    }

    @Test func checksumMismatchNamesTheTrailer() {
        var data = bytes()
        let end = Int(data[2]) | Int(data[3]) << 8
        data[end - 2] ^= 0xFF  // change the last record
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: data) }
        #expect(error?.offset == end + 4)
        #expect(error?.message.hasPrefix("checksum mismatch") == true)
        #expect(error?.partial?.serial == "5CG1234XYZ")
    }

    @Test func aRecordLongerThanTheRecordAreaIsCorrupt() {
        var data = bytes()
        data[6] = 0xFF  // the first record's length becomes 0xFF1C
        data[7] = 0xFF
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: data) }
        #expect(error?.offset == 4)
        #expect(error?.record == 1)
        #expect(error?.type == 1)
        #expect(error?.message.hasPrefix("corrupt: the record's 65535 bytes run past the end of the record area") == true)
    }

    @Test func aZeroLengthRecordIsCorrupt() {
        var data = bytes()
        data[6] = 0
        data[7] = 0
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: data) }
        #expect(error?.message == "corrupt: record length 0 is shorter than its 4-byte header")
    }

    @Test func garbageAfterTheTrailer() {
        var data = bytes()
        data[data.count - 1] = 1
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: data) }
        #expect(error?.offset == data.count - 1)
    }

    @Test func tooShort() {
        #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: [0x4F]) }
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: Array(bytes().prefix(100))) }
        #expect(error?.message.contains("truncated") == true)
    }

    /// Found by the fuzzer (Fuzz/Findings/FuzzHardwareHash/memory-record-over-int-max): a memory
    /// record larger than Int.max trapped while decoding instead of being reported.
    @Test func aMemoryRecordPastIntMaxIsAnErrorNotACrash() {
        let bytes: [UInt8] = [0x4F, 0x41, 0x10, 0x00, 0x05, 0x00, 0x0C, 0x00] + Array(repeating: 0xFF, count: 8)
        let error = #expect(throws: HardwareHashError.self) { try HardwareHash(bytes: bytes) }
        #expect(error?.partial?.ramGB == nil)
    }
}
