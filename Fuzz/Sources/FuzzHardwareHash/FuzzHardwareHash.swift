// Fuzzes the hardware-hash decoder: `HardwareHash(bytes:)` on the input as bytes, and
// `HardwareHash(base64:)` on the input as text. Errors are expected; crashes are findings, and so
// are violations of what the decoder promises:
// - decoding bytes and decoding their base64 (padded or not) give the same hash or the same error;
// - a decoded hash has a valid checksum and records inside its record area;
// - a hash the encoder builds from a decoded identity (its SMBIOS strings made printable ASCII of at
//   most 64 characters, as lab files give them) decodes to that identity again.
import Foundation
import Autopilot
import DeviceIdentity
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHardwareHash(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    let fromBytes = decode { () throws(HardwareHashError) in try HardwareHash(bytes: bytes) }
    let base64 = Data(bytes).base64EncodedString()
    require(decode { () throws(HardwareHashError) in try HardwareHash(base64: base64) } == fromBytes,
            "HardwareHash(base64:) of the bytes' base64 differs from HardwareHash(bytes:)")
    check(fromBytes, end: bytes.count >= 4 ? Int(bytes[2]) | Int(bytes[3]) << 8 : 0)

    let text = fuzzText(start, count)
    let fromText = decode { () throws(HardwareHashError) in try HardwareHash(base64: text) }
    if case .success = fromText, !text.trimmingCharacters(in: .whitespacesAndNewlines).contains(where: \.isWhitespace) {
        let unpadded = String(text.trimmingCharacters(in: .whitespacesAndNewlines).reversed().drop { $0 == "=" }.reversed())
        require(decode { () throws(HardwareHashError) in try HardwareHash(base64: unpadded) } == fromText,
                "the hash decodes differently without its '=' padding")
        require(decode { () throws(HardwareHashError) in try HardwareHash(base64: Base64Padding.padded(unpadded)) } == fromText,
                "the hash decodes differently once padded again")
    }
    check(fromText, end: nil)
    return 0
}

private func decode(_ body: () throws(HardwareHashError) -> HardwareHash) -> Result<HardwareHash, HardwareHashError> {
    do { return .success(try body()) } catch { return .failure(error) }
}

/// What a decoded hash (or the part decoded before an error) promises.
private func check(_ result: Result<HardwareHash, HardwareHashError>, end: Int?) {
    switch result {
    case .success(let hash):
        require(hash.checksumValid, "a decoded hash has checksumValid == false")
        if let end {
            require(hash.records.allSatisfy { $0.offset >= 4 && $0.offset + 4 + $0.value.count <= end },
                    "a record lies outside the record area (0..<\(end))")
        }
        _ = try? JSONEncoder().encode(hash)
        reencode(hash)
    case .failure(let error):
        _ = error.description
        if let partial = error.partial {
            _ = try? JSONEncoder().encode(partial)
            reencode(partial)
        }
    }
}

private struct Checked: Hashable {
    let identity: DeviceIdentity
    let tpm: HashedHardware.TPMVersion
}

/// The identities already encoded and decoded again (libFuzzer runs one input at a time).
nonisolated(unsafe) private var checkedIdentities: Set<Checked> = []

/// A decoded string as a lab file may give it: printable ASCII, at most 64 characters (SMBIOSText).
private func smbios(_ text: String?) -> String? {
    text.map { String(String.UnicodeScalarView($0.unicodeScalars.filter { (0x20...0x7E).contains($0.value) }.prefix(64))) }
}

/// Builds a lab device's hash from a decoded identity, then decodes it.
private func reencode(_ hash: HardwareHash) {
    let serial = smbios(hash.serial) ?? "FUZZ-1"
    let manufacturer = smbios(hash.manufacturer) ?? "Contoso"
    let identity = DeviceIdentity(
        serial: serial, manufacturer: manufacturer, product: smbios(hash.product) ?? "Lab PC",
        version: smbios(hash.systemVersion), sku: smbios(hash.sku), family: smbios(hash.family),
        uuid: hash.uuid ?? UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)),
        mac: hash.macAddresses.first ?? MACAddress("52:54:00:12:34:56")!,
        board: .init(manufacturer: manufacturer, product: smbios(hash.boardProduct) ?? "Board",
                     version: smbios(hash.boardVersion), serial: "BOARD-1"),
        chassis: .init(manufacturer: manufacturer, serial: serial,
                       type: hash.chassisType.flatMap(ChassisType.init(rawValue:)) ?? .notebook))
    let tpm: HashedHardware.TPMVersion = hash.tpmVersion == "1.2" ? .v1_2 : hash.hasEndorsementKey ? .v2_0 : .none
    // Most inputs keep the identity of the one they were mutated from: check each identity once.
    guard checkedIdentities.insert(Checked(identity: identity, tpm: tpm)).inserted else { return }
    if checkedIdentities.count > 100_000 { checkedIdentities.removeAll(keepingCapacity: true) }
    let text = HardwareHashEncoder.encode(HashedHardware(identity: identity, tpm: tpm))
    require(Base64Padding.isPadded(text), "the encoder wrote unpadded base64")
    let again: HardwareHash
    do { again = try HardwareHash(base64: text) } catch {
        fatalError("the encoder's hash for \(identity) does not decode: \(error)")
    }
    require(again.checksumValid, "the encoder's hash has a bad checksum")
    require(again.serial == identity.serial && again.manufacturer == identity.manufacturer
                && again.product == identity.product && again.sku == identity.sku && again.family == identity.family
                && again.systemVersion == identity.version && again.boardProduct == identity.board.product
                && again.boardVersion == identity.board.version,
            "the encoder's hash decodes to other SMBIOS strings than \(identity)")
    require(again.uuid == identity.uuid && again.macAddresses == [identity.mac],
            "the encoder's hash decodes to another UUID or MAC than \(identity)")
    require(again.chassisType == identity.chassis.type.rawValue, "the encoder's hash decodes to another chassis type")
    require(again.tpmVersion == (tpm == .none ? nil : tpm.rawValue), "the encoder's hash decodes to another TPM version")
}
