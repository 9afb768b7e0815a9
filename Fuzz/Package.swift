// swift-tools-version:6.1
// pxelab's fuzzers (libFuzzer), a package of their own so that the main package's `swift build`
// never builds them (the layout of swift-protobuf's FuzzTesting). `make fuzz` (scripts/fuzz.sh)
// builds them with libFuzzer and AddressSanitizer and runs each for a bounded time on a copy of its
// seed corpus (Corpus/<fuzzer>/, with Dictionaries/<fuzzer>.dict); Findings/<fuzzer>/ keeps the
// reproducers of what they found, which `make fuzz` replays first. One executable per fuzzer:
//   FuzzHardwareHash     HardwareHash(bytes:) and HardwareHash(base64:), and encoder round trips
//   FuzzAutopilotCSV     AutopilotCSV.read under each Rules case
//   FuzzMembershipRule   MembershipRule(_:), its text and JSON round trips, matching
//   FuzzLabFile         LabFileLoader's LabFile.parse(_:file:)
//   FuzzEventBatch       EventJSON.decodeBatch against JSONDecoder (a differential fuzzer)
import PackageDescription

/// Each fuzzer and the pxelab products it reads.
let fuzzers: [(name: String, products: [String])] = [
    ("FuzzHardwareHash", ["Autopilot", "DeviceIdentity"]),
    ("FuzzAutopilotCSV", ["Autopilot"]),
    ("FuzzMembershipRule", ["Autopilot"]),
    ("FuzzLabFile", ["LabFiles"]),
    ("FuzzEventBatch", ["DeviceProtocol"]),
]

let package = Package(
    name: "pxelab-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "pxelab", path: ".."),
    ],
    targets: [.target(name: "FuzzSupport")] + fuzzers.map { fuzzer in
        .executableTarget(
            name: fuzzer.name,
            dependencies: ["FuzzSupport"] + fuzzer.products.map { .product(name: $0, package: "pxelab") }
        )
    }
)
