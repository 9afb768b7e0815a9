import ArgumentParser
import Autopilot
import DeviceIdentity
import Foundation
import LabController
import LabFiles

struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Decode Autopilot hardware hashes, or make one for a lab device.",
        subcommands: [Decode.self, Encode.self]
    )

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what a hardware hash holds: serial, manufacturer, model, UUID, MACs, TPM, disk, ...",
            discussion: """
            Give the hash itself (the base64 of a CSV's Hardware Hash column, padded or not) or @FILE, \
            where FILE holds one hash or is a hardware-hash CSV (every row is decoded). The header, every \
            record and the CS$ trailer's SHA-256 are checked; a bad hash is reported with the byte, the \
            record and its type.
            """
        )

        @Argument(help: "A base64 hardware hash, or @FILE.")
        var hash: String

        @Flag(help: "Print JSON, with every record (unknown ones too) as raw bytes.")
        var json = false

        func run() throws {
            var hashes: [(label: String, text: String)] = []
            if hash.hasPrefix("@") {
                let path = String(hash.dropFirst())
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                do {
                    let rows = try AutopilotCSV.read(data, source: path, rules: .fieldCollection)
                    hashes = rows.compactMap { row in row.hardwareHash.map { ("\(path) line \(row.line)", $0) } }
                } catch let error where error.problems.contains(where: { $0.line > 1 }) {
                    // A CSV whose header read: its rows' problems are the answer.
                    printError(error.description)
                    throw ExitCode.failure
                } catch {
                    // Not a CSV (no header): the file is one hash.
                    hashes = [(path, String(decoding: data, as: UTF8.self))]
                }
            } else {
                hashes = [("argument", hash)]
            }
            var decoded: [HardwareHash] = []
            for (label, text) in hashes {
                do {
                    decoded.append(try HardwareHash(base64: text))
                } catch {
                    printError("\(label): \(error)")
                    if let partial = error.partial, !partial.records.isEmpty, !json {
                        printError("decoded before the problem:\n" + Self.describe(partial))
                    }
                    throw ExitCode.failure
                }
            }
            if json {
                if decoded.count == 1 { try printJSON(decoded[0]) } else { try printJSON(decoded) }
                return
            }
            print(decoded.map(Self.describe).joined(separator: "\n\n"))
        }

        static func describe(_ hash: HardwareHash) -> String {
            let fields: [(String, String?)] = [
                ("Serial", hash.serial), ("Manufacturer", hash.manufacturer), ("Product", hash.product),
                ("SKU", hash.sku), ("Family", hash.family), ("System version", hash.systemVersion),
                ("UUID", hash.uuid?.uuidString.lowercased()),
                ("MACs", hash.macAddresses.isEmpty ? nil : hash.macAddresses.map(\.description).joined(separator: ", ")),
                ("Board", hash.boardProduct), ("Firmware vendor", hash.firmwareVendor),
                ("Chassis type", hash.chassisType.map { type in
                    "\(type)" + (ChassisType(rawValue: type).map { " (\($0.name))" } ?? "") }),
                ("Disk", [hash.diskSerial, hash.diskModel, hash.diskCapacityGB.map { "\($0) GB" }]
                    .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")),
                ("TPM", hash.tpmVersion.map { "\($0)" + (hash.tpmVendor.map { ", vendor \($0)" } ?? "") }),
                ("EK public key", hash.endorsementKeyDigest.map { "SHA-256 \($0)" } ?? "absent"),
                ("ProductKeyID", hash.productKeyID), ("OS build", hash.osBuild), ("Tool build", hash.toolBuild),
                ("CPU", [hash.cpuManufacturer, hash.cpuModel].compactMap { $0 }.joined(separator: " ")),
                ("CPU cores/threads", hash.cpuCores.map { "\($0)/\(hash.cpuThreads ?? 0)" }),
                ("RAM", hash.ramGB.map { "\($0) GB" }), ("GPU", hash.gpuName),
                ("Records", "\(hash.records.count): " + hash.records.map { String($0.type) }.joined(separator: " ")),
                ("Checksum", hash.checksumValid ? "SHA-256 OK" : "mismatch"),
            ]
            let width = fields.map(\.0.count).max()! + 2
            return fields.compactMap { name, value in
                guard let value, !value.isEmpty else { return nil }
                return (name + ":").padding(toLength: width, withPad: " ", startingAt: 0) + value
            }.joined(separator: "\n")
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the hardware hash a lab device presents (padded base64, 4,000 characters).",
            discussion: """
            The hash holds the device's SMBIOS identity, MAC, TPM, disk and firmware values in the record \
            types real hashes use, with a valid CS$ trailer. Each collection (a reset collects the hash \
            again) gives a different hash with the same serial, as real hardware does.
            """
        )

        @Argument(help: "The lab file.")
        var file: String

        @Argument(help: "The device's name or serial.")
        var device: String

        @Option(help: "Which collection of the hash (0 is the first).")
        var collection = 0

        func run() throws {
            let labFile = try LabOptions.load(file)
            guard let found = labFile.devices.first(where: { $0.name == device || $0.identity.serial == device }) else {
                printError("\(file): no device named or with serial '\(device)'")
                throw ExitCode.failure
            }
            print(labFile.hardwareHash(of: found, collection: collection))
        }
    }
}

