import Foundation
import Testing
import LabService
import DeviceProtocol
import LabRunner
import LabFiles
import TestSupport

/// A small fleet whose deployments take about two seconds each, so that phases can be watched.
let dashboardLab = """
lab: dashboard
tenant: { domain: contoso.onmicrosoft.com }
timing: { scale: 0.002, jitter: 0 }
models:
  laptop: { manufacturer: Contoso, product: Lab Laptop, tpm: "2.0" }
fleet:
  - { model: laptop, count: 4, name: "dash-{seq}", serial: "DSH-{seq:03}", groupTag: Sales }
groups:
  - { name: Sales, rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))' }
profiles:
  - { displayName: Sales, deviceNameTemplate: "SALES-%SERIAL%", assignments: [Sales] }
esp:
  - { displayName: ESP, selectedMobileAppIds: [Company Portal] }
apps:
  - { displayName: Company Portal, installTime: 2m }
policies:
  - { displayName: Wi-Fi, kind: wifi }
"""

/// Records every phase each grid row shows from now on: a phase cell's text is replaced as the
/// device moves on, so each added text node is one phase the page displayed.
let phaseRecorder = """
window.__phases = {};
new MutationObserver(records => {
  for (const record of records) {
    const cell = record.target.closest ? record.target.closest('[data-field="phase"]') : null;
    const row = cell && cell.closest('tr[data-device]');
    if (!row) continue;
    const seen = (window.__phases[row.dataset.device] ||= []);
    const text = cell.textContent.trim();
    if (text && seen[seen.length - 1] !== text) seen.push(text);
  }
}).observe(document.body, { childList: true, subtree: true, characterData: true });
true
"""

@Suite("the live dashboard")
struct DashboardBrowserTests {
    @Test(.needs(.chromium)) func itListsTheFleetFollowsPhasesLiveAndResetsADeviceFromItsButton() async throws {
        let labFile = try LabFile.parse(dashboardLab, file: "dashboard.yaml")
        let running = try await RunningLab.open(labFile: labFile, stateRoot: makeTemporaryDirectory("pxelab-dashboard"),
                                                options: .init(imagesDirectory: images))
        let browser = try HeadlessChromium.launch()
        defer { browser.close() }
        do {
            try await running.fleet.factoryReset()
            let names = labFile.devices.map(\.name)
            let page = try await browser.open("http://127.0.0.1:\(running.port)/#token=\(running.endpoint.administratorToken)")

            // The fleet, before anything runs.
            try await page.waitUntil("document.querySelectorAll('tr[data-device]').length === 4", "the grid lists the four devices")
            let listed = try await page.evaluate("[...document.querySelectorAll('tr[data-device]')].map(r => r.dataset.device).join(',')")
            #expect((listed as? String).map { Set($0.split(separator: ",").map(String.init)) } == Set(names))
            #expect(try await page.evaluate("document.body.textContent.includes('DSH-001')") as? Bool == true)
            // The token left the address bar.
            #expect(try await page.evaluate("location.href.includes('token=')") as? Bool == false)

            // Deploy while the page watches: no reload, phases advance through server-sent events.
            #expect(try await page.evaluate(phaseRecorder) as? Bool == true)
            try await running.fleet.deploy(names)
            try await page.waitUntil("""
                [...document.querySelectorAll('tr[data-device] [data-field="result"]')].every(c => c.textContent.includes('business-ready'))
                """, "every row shows business-ready")
            let recorded = try await page.evaluate("JSON.stringify(window.__phases)") as? String
            let phases = try JSONDecoder().decode([String: [String]].self, from: Data((recorded ?? "{}").utf8))
            for name in names {
                let seen = phases[name] ?? []
                #expect(seen.count >= 3, "\(name) showed only \(seen)")
                let order = OOBEPhase.allCases.map(\.rawValue)
                let indices = seen.compactMap { text in order.firstIndex { text.hasPrefix($0) } }
                #expect(indices == indices.sorted(), "\(name) went back in phase: \(seen)")
            }

            // A device's page, and its Reset button (a remote Autopilot Reset through the admin API).
            let before = try running.lab.store.device(named: "dash-2")?.lastSeq ?? 0
            _ = try await page.evaluate("location.hash = '#/devices/dash-2'; true")
            try await page.waitUntil("document.querySelector('button[data-flow=\"reset\"]') !== null", "the device page shows its actions")
            // Its firmware, Secure Boot and TPM, as its model declares them.
            try await page.waitUntil("document.querySelector('[data-field=\"device-platform\"]').textContent === 'UEFI, Secure Boot on, TPM 2.0'",
                                     "the device page shows its platform")
            try await page.click("button[data-flow=\"reset\"]")
            try await page.waitUntil("""
                (document.querySelector('[data-field="action-status"]')?.textContent || '').includes('business-ready')
                """, "the page shows the reset's result")
            let events = try running.lab.store.events(of: "dash-2", after: before)
            #expect(events.contains { $0.phase == .lifecycle && $0.step == "reset" && $0.status == .completed })
            #expect(try running.lab.store.device(named: "dash-2")?.lifecycle == .deployed)
            let png = try await page.screenshot()
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        } catch {
            try await running.close()
            throw error
        }
        try await running.close()
    }

    @Test func theStreamNeedsTheAdminToken() async throws {
        let running = try await RunningLab.open(labFile: try LabFile.parse(dashboardLab, file: "dashboard.yaml"),
                                                stateRoot: makeTemporaryDirectory("pxelab-dashboard"),
                                                options: .init(imagesDirectory: images))
        let client = HTTPTestClient(port: running.port)
        let page = try await client.get("/")
        #expect(page.status == 200 && page.text.contains("/dashboard/app.js"))
        #expect(page.header("content-type")?.hasPrefix("text/html") == true)
        #expect(try await client.get("/dashboard/app.js").status == 200)
        #expect(try await client.get("/dashboard/..%2Fopenapi.yaml").status == 404)
        #expect(try await client.get("/api/v1/stream").status == 401)
        #expect(try await client.get("/api/v1/stream", token: "wrong").status == 401)
        try await running.close()
    }
}
