import Foundation
import Testing
import BootEndpoint
import HTTPConnections
import LabService
import LabFiles
import TestSupport

/// The repository's `Images/` folder.
let repositoryImages = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Images").standardizedFileURL

let endpointLab = """
lab: http
tenant: { id: 6b1f3c2e-8d4a-4f7b-9c1e-2a5d7e9f0b13, domain: contoso.onmicrosoft.com }
models:
  laptop: { manufacturer: Contoso, product: Lab Laptop, tpm: "2.0" }
fleet:
  - { model: laptop, count: 2, name: "sales-{seq}", serial: "SALES-{seq}", groupTag: Sales, assignedUser: adele@contoso.onmicrosoft.com }
  - { model: laptop, name: loose, serial: LOOSE-1 }
  - { model: laptop, name: unregistered, serial: NEW-1, registered: false }
  - { model: laptop, name: twin-a, serial: TWIN, reproduce: [duplicate-serial] }
  - { model: laptop, name: twin-b, serial: TWIN, reproduce: [duplicate-serial] }
groups:
  - name: Sales devices
    rule: (device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))
profiles:
  - displayName: Sales
    deviceNameTemplate: SALES-%RAND:4%
    outOfBoxExperienceSettings: { hidePrivacySettings: true, hideEULA: true, userType: standard, skipKeyboardSelectionPage: true }
    language: en-US
    assignments: [Sales devices]
esp:
  - displayName: Corporate
    selectedMobileAppIds: [Company Portal]
    allowDeviceResetOnInstallFailure: true
apps:
  - { displayName: Company Portal, installTime: 20s }
  - { displayName: Teams, target: user, installTime: 30s }
policies:
  - { displayName: Wi-Fi, kind: wifi }
"""

/// The endpoint lab with more tenant settings (such as `importDelay: 75s`), on a clock the test moves.
func startEndpoint(tenant settings: String, clock: TestClock) async throws -> RunningEndpoint {
    let text = endpointLab.replacingOccurrences(of: "domain: contoso.onmicrosoft.com }",
                                                with: "domain: contoso.onmicrosoft.com, \(settings) }")
    return try await RunningEndpoint.start(lab: text, clock: { clock.now })
}

/// An endpoint running on an ephemeral loopback port, with its own state folder.
final class RunningEndpoint: Sendable {
    let endpoint: BootEndpoint
    let client: HTTPTestClient
    let stateRoot: URL
    var port: Int { server.port }
    private let server: RunningServer

    var adminToken: String { endpoint.administratorToken }

    static func start(lab text: String = endpointLab, stateRoot: URL = makeTemporaryDirectory("pxelab-state"),
                      images: URL = repositoryImages, port: Int = 0, driver: any DeviceAttendant = AbsentAttendant(),
                      tpmTrust: TPMAttestation.Trust? = nil, attestedHosts: [LabHost]? = nil, secureBootNetwork: Bool? = nil,
                      limits: ConnectionLimits = ConnectionLimits(),
                      alsoListenOn: [String] = [], guestAddresses: [String: String] = [:],
                      clock: @escaping @Sendable () -> Date = Date.init) async throws -> RunningEndpoint {
        let labFile = try LabFile.parse(text, file: "http.yaml")
        let lab = try Lab(labFile: labFile, stateRoot: stateRoot, clock: clock)
        var options = BootEndpoint.Options(port: port, imagesDirectory: images, tpmTrust: tpmTrust, secureBootNetwork: secureBootNetwork,
                                           connectionLimits: limits)
        options.alsoListenOn = alsoListenOn
        options.attestedHosts = attestedHosts
        options.guestAddresses = guestAddresses
        let endpoint = try BootEndpoint(lab: lab, attendant: driver, options: options, clock: clock)
        let server = try await endpoint.start()
        return RunningEndpoint(endpoint: endpoint, client: HTTPTestClient(port: server.port), stateRoot: stateRoot, server: server)
    }

    private init(endpoint: BootEndpoint, client: HTTPTestClient, stateRoot: URL, server: RunningServer) {
        self.endpoint = endpoint
        self.client = client
        self.stateRoot = stateRoot
        self.server = server
    }

    /// Stops the server and waits until it has closed.
    func stop() async throws {
        try await server.stop()
    }

    /// A device's token, as its boot script hands it over.
    func token(of device: String) throws -> String {
        try #require(try endpoint.lab.store.device(named: device)).token
    }
}

/// Runs a test body against a fresh endpoint and always stops it.
func withEndpoint(lab text: String = endpointLab, limits: ConnectionLimits = ConnectionLimits(),
                  _ body: (RunningEndpoint) async throws -> Void) async throws {
    let running = try await RunningEndpoint.start(lab: text, limits: limits)
    do {
        try await body(running)
    } catch {
        try? await running.stop()  // the body's failure is the one to report
        throw error
    }
    try await running.stop()
}
