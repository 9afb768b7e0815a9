// swift-tools-version:6.1
// pxelab: a network-boot lab emulator for Autopilot-style deployments.
//
// The module list reads as the architecture, from the bottom up (see ARCHITECTURE.md):
//   CLibvirt, CLibXML2   system libraries (libvirt's C API, libxml2)
//   CLibCrypto           system library: OpenSSL's libcrypto (for Attestation)
//   Libvirt              a Swift binding that mirrors libvirt's objects one to one
//   LibXML               a small owning wrapper over libxml2 trees
//   LibvirtXML           typed libvirt documents (DomainSpec) built and read with LibXML
//   DeviceIdentity       a lab device's synthetic hardware identity (SMBIOS, MAC, UUID)
//   TPM2                 a TPM 2.0 spoken to in pure Swift (the guest's side): EK certificate, EK, AK, ActivateCredential
//   Attestation          the controller's side: EK certificates checked against the lab's CA, MakeCredential
//   DeviceProtocol       what devices and the controller say to each other: events, actions, vocabulary
//   Autopilot            the Autopilot service's model and rules: tenant, groups, profiles, ESP, apps
//   LabFiles             lab files (YAML): parsing, validation with positions, fleet expansion
//   LabStore             the lab's durable state in SQLite (GRDB, kept inside): registry, devices, events
//   LabService           the lab's service layer: every operation, once, in types, under every front door
//   LabController        a lab's domains on libvirt hosts: defining, removing, listing, screens
//   TFTP                 a TFTP server (SwiftNIO) whose files come from the caller at request time
//   BootEndpoint         the HTTP endpoint: iPXE, Autopilot, device events, admin API, dashboard
//   OOBEAgent            the device-side OOBE, in-process or inside a real VM's guest
//   LabRunner            a lab at work: its devices running (virtual or real VMs), runs, scenarios
//   RunReports           a run's results as JUnit XML and a self-contained HTML report
//   pxelab               the command-line controller
//   tftp-serve           a folder's files over TFTP, for benchmarks/tftp.sh and trying clients by hand
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "pxelab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pxelab", targets: ["pxelab"]),
        .executable(name: "pxelab-agent", targets: ["pxelab-agent"]),
        .library(name: "Libvirt", targets: ["Libvirt"]),
        // For the fuzzers (Fuzz/Package.swift), which build apart from this package.
        .library(name: "Autopilot", targets: ["Autopilot"]),
        .library(name: "LabFiles", targets: ["LabFiles"]),
        .library(name: "DeviceIdentity", targets: ["DeviceIdentity"]),
        .library(name: "DeviceProtocol", targets: ["DeviceProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        // Already in the graph through Hummingbird; named for the boot-script channel handler.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        // The Redfish service: its TLS (the lab CA and server certificate made in Swift) and the
        // slow password hash its accounts keep (bcrypt, checked once per credential).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibvirt",
            pkgConfig: "libvirt",
            providers: [.apt(["libvirt-dev"])]
        ),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "Libvirt", dependencies: ["CLibvirt"], swiftSettings: strictSettings),
        .target(name: "LibXML", dependencies: ["CLibXML2"], swiftSettings: strictSettings),
        .target(name: "LibvirtXML", dependencies: ["LibXML", "DeviceIdentity"], swiftSettings: strictSettings),
        .target(name: "DeviceIdentity", swiftSettings: strictSettings),
        // Links into the static guest agent: Swift and DeviceIdentity's SHA-256 only.
        .target(name: "TPM2", dependencies: ["DeviceIdentity"], swiftSettings: strictSettings),
        .target(name: "Attestation", dependencies: ["TPM2", "CLibCrypto"], swiftSettings: strictSettings),
        .target(name: "Autopilot", dependencies: ["DeviceIdentity", "DeviceProtocol"], swiftSettings: strictSettings),
        .target(
            name: "LabFiles",
            dependencies: ["DeviceIdentity", "Autopilot", "DeviceProtocol", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LabStore",
            dependencies: ["Autopilot", "DeviceProtocol", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LabService",
            dependencies: ["LabStore", "LabFiles", "Autopilot", "DeviceProtocol", "DeviceIdentity", "Attestation", "TPM2"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LabController",
            dependencies: ["Libvirt", "LibvirtXML", "LibXML", "LabService", "LabFiles", "DeviceIdentity", "DeviceProtocol"],
            swiftSettings: strictSettings
        ),
        .target(name: "DeviceProtocol", swiftSettings: strictSettings),
        .target(
            name: "HTTPConnections",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "PipelineAnswers",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TFTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "GraphAPI",
            dependencies: [
                "LabService", "LabStore", "LabFiles", "Autopilot", "DeviceProtocol", "DeviceIdentity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RedfishAPI",
            dependencies: [
                "PipelineAnswers", "HTTPConnections",
                "LabService", "LabStore", "LabFiles", "DeviceProtocol", "DeviceIdentity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "BootEndpoint",
            dependencies: [
                "GraphAPI", "PipelineAnswers", "HTTPConnections", "TFTP", "LabService", "LabStore", "LabFiles", "Autopilot", "DeviceProtocol",
                "DeviceIdentity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("openapi.yaml"), .copy("Dashboard")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "OOBEAgent",
            dependencies: [
                "DeviceProtocol", "Autopilot", "DeviceIdentity",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LabRunner",
            dependencies: [
                "LabService", "BootEndpoint", "RedfishAPI", "OOBEAgent", "LabController", "LabStore", "LabFiles", "Libvirt",
                "DeviceProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "RunReports",
            dependencies: ["LabService", "LibXML", "DeviceProtocol"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "pxelab",
            dependencies: [
                "LabController", "LabService", "LabStore", "LabFiles", "Autopilot", "DeviceIdentity", "DeviceProtocol", "BootEndpoint",
                "LabRunner", "RedfishAPI", "RunReports", "HTTPConnections",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "tftp-serve",
            dependencies: ["TFTP", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "TPM2",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/TestSupport"
        ),
        .executableTarget(
            name: "pxelab-agent",
            dependencies: [
                "OOBEAgent", "Autopilot", "DeviceIdentity", "DeviceProtocol", "TPM2",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "LibvirtTests", dependencies: ["Libvirt", "LibvirtXML", "DeviceIdentity", "TestSupport"]),
        .testTarget(name: "LibXMLTests", dependencies: ["LibXML"]),
        .testTarget(name: "AutopilotTests", dependencies: ["Autopilot", "DeviceIdentity", "DeviceProtocol"], exclude: ["Fixtures"]),
        .testTarget(
            name: "LabStoreTests",
            dependencies: ["LabStore", "Autopilot", "DeviceProtocol", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "LibvirtXMLTests", dependencies: ["LibvirtXML", "LibXML", "DeviceIdentity"]),
        .testTarget(name: "DeviceIdentityTests", dependencies: ["DeviceIdentity"]),
        .testTarget(name: "TPM2Tests", dependencies: ["TPM2", "TestSupport"]),
        .testTarget(name: "AttestationTests", dependencies: ["Attestation", "TPM2", "TestSupport"]),
        .testTarget(name: "LabFilesTests", dependencies: ["LabFiles", "DeviceIdentity", "Autopilot"]),
        .testTarget(
            name: "BootEndpointTests",
            dependencies: ["BootEndpoint", "GraphAPI", "LabService", "LabFiles", "LabStore", "DeviceProtocol", "Autopilot", "OOBEAgent", "TPM2", "DeviceIdentity",
                           "TestSupport", "HTTPConnections",
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                           .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .testTarget(
            name: "PipelineAnswersTests",
            dependencies: ["PipelineAnswers", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                           .product(name: "NIOHTTPTypes", package: "swift-nio-extras"), .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .testTarget(
            name: "TFTPTests",
            dependencies: ["TFTP", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .testTarget(name: "OOBEAgentTests", dependencies: ["OOBEAgent", "DeviceProtocol"]),
        .testTarget(name: "DeviceProtocolTests", dependencies: ["DeviceProtocol"]),
        .testTarget(
            name: "LabRunnerTests",
            dependencies: ["LabRunner", "LabService", "LabController", "LabFiles", "LabStore", "DeviceProtocol", "Autopilot", "OOBEAgent",
                           "RedfishAPI", "PipelineAnswers", "HTTPConnections", "Libvirt", "TestSupport", .product(name: "NIOHTTP1", package: "swift-nio"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .testTarget(name: "RunReportsTests", dependencies: ["RunReports", "LabRunner", "LabService", "LabFiles", "LibXML", "TestSupport"]),
        .testTarget(
            name: "RealVMTests",
            dependencies: ["LabRunner", "LabService", "LabController", "LabFiles", "LabStore", "DeviceProtocol", "Libvirt", "LibvirtXML", "Autopilot", "TestSupport",
                           "RedfishAPI"]
        ),
        .testTarget(name: "ReliabilityTests", dependencies: ["LabStore", "DeviceProtocol", "TestSupport"]),
        .testTarget(
            name: "LabControllerTests",
            dependencies: ["LabController", "LabService", "LabFiles", "Autopilot", "Libvirt", "LibvirtXML", "TestSupport"]
        ),
        .testTarget(
            name: "LabServiceTests",
            dependencies: ["LabService", "LabStore", "LabFiles", "Autopilot", "DeviceProtocol", "TestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
