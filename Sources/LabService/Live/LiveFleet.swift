public import Foundation
public import DeviceProtocol
public import LabStore
public import Autopilot

/// The lab's devices as live views follow them (the dashboard): each device's summary and latest
/// event, kept from one subscription to the store's event feed, whatever the number of viewers.
/// A stored event updates its device from the event itself, by the rules the store applies (its
/// lifecycle, the error code it shows); the device's registration is looked up again only once
/// the tenant has changed since (``AutopilotService/revision``). Nothing is kept while nobody follows.
public actor LiveFleet {
    /// A device as a live view shows it.
    public struct Device: Codable, Sendable, Equatable {
        public var name: String
        public var serial: String
        public var model: String
        /// Its model's firmware, Secure Boot and TPM, as people read them.
        public var platform: String?
        public var mode: AutopilotScenario?
        public var profile: String?
        public var groupTag: String?
        public var lifecycle: DeviceLifecycle
        public var outcome: DeviceOutcome
        public var errorCode: ErrorCode?
        public var phase: OOBEPhase?
        public var step: String?
        public var status: StepStatus?
        public var message: String?
        public var time: Date?
        public var bootCount: Int
        /// The lab file's name of its libvirt host.
        public var host: String?
        /// The tenant's revision its registration was read at.
        fileprivate var revision = 0

        private enum CodingKeys: String, CodingKey {
            case name, serial, model, platform, mode, profile, groupTag, lifecycle, outcome, errorCode, phase, step, status, message, time,
                 bootCount, host
        }
    }

    /// A device after one of its events, and the event.
    public struct Update: Codable, Sendable {
        public var device: Device
        public var event: StoredEvent
    }

    private let lab: Lab
    private var devices: [String: Device] = [:]
    /// The tenant's revision every device's registration was read at, at the last full read.
    private var revision = 0
    private var viewers: [Int: AsyncStream<Update>.Continuation] = [:]
    /// Viewers on their way in: the pump keeps running for them.
    private var joining = 0
    private var nextViewer = 0
    private var pump: Task<Void, Never>?
    private var starting: Task<Void, any Error>?

    public init(lab: Lab) {
        self.lab = lab
    }

    /// The fleet now, in lab order, and an update for every event stored after it (nothing falls
    /// between the two), until the stream's consumer stops or ``finishAll()``.
    public func follow() async throws -> (snapshot: [Device], updates: AsyncStream<Update>) {
        joining += 1
        defer {
            joining -= 1
            stopWhenNobodyFollows()
        }
        try await start()
        if revision != lab.autopilot.revision { try await readRegistrations() }
        let (stream, continuation) = AsyncStream.makeStream(of: Update.self, bufferingPolicy: .bufferingNewest(10_000))
        nextViewer += 1
        let viewer = nextViewer
        viewers[viewer] = continuation
        continuation.onTermination = { _ in Task { await self.leave(viewer) } }
        return (lab.labFile.devices.compactMap { devices[$0.name] }, stream)
    }

    /// Ends every viewer's stream.
    public func finishAll() {
        for viewer in viewers.values { viewer.finish() }
    }

    private func start() async throws {
        if pump != nil { return }
        if let starting { return try await starting.value }
        let task = Task {
            // Followed first, then read: an event between the two is applied twice, never missed.
            let events = lab.store.feed.subscribe()
            try await readAll()
            pump = Task { for await event in events { await self.apply(event) } }
        }
        starting = task
        defer { starting = nil }
        try await task.value
    }

    /// Reads every device's registration again, keeping what the events since told (the pump goes
    /// on meanwhile).
    private func readRegistrations() async throws {
        let lab = lab
        let revision = lab.autopilot.revision
        let summaries = try await Offload.run { try lab.deviceSummaries() }
        for summary in summaries { devices[summary.name]?.register(summary, revision: revision) }
        self.revision = revision
    }

    /// Reads every device's summary and latest event.
    private func readAll() async throws {
        let lab = lab
        let revision = lab.autopilot.revision
        let (summaries, latest) = try await Offload.run { (try lab.deviceSummaries(), try lab.store.latestEvents()) }
        devices = Dictionary(summaries.map { ($0.name, Device(summary: $0, latest: latest[$0.name], revision: revision)) },
                             uniquingKeysWith: { first, _ in first })
        self.revision = revision
    }

    private func apply(_ event: StoredEvent) async {
        guard devices[event.device] != nil else { return }
        let revision = lab.autopilot.revision
        // A store that cannot be read now leaves the registration as last read; the device's next
        // event reads it again.
        if devices[event.device]?.revision != revision, let summary = try? await summary(of: event.device) {
            devices[event.device]?.register(summary, revision: revision)
        }
        guard var device = devices[event.device] else { return }
        let lifecycle = device.lifecycle.after(event.event)
        device.errorCode = lifecycle.errorCode(after: event.event, showing: device.errorCode?.value).map(ErrorCode.init)
        device.lifecycle = lifecycle
        device.outcome = DeviceOutcome(lifecycle)
        device.phase = event.phase
        device.step = event.step
        device.status = event.status
        device.message = event.message
        device.time = event.time
        if case let status?? = lab.store.bootStatusInMemory(of: event.device) { device.bootCount = status.bootCount }
        devices[event.device] = device
        let update = Update(device: device, event: event)
        for viewer in viewers.values { viewer.yield(update) }
    }

    /// One device's summary, read again (its registration may have changed).
    private func summary(of name: String) async throws -> DeviceSummary? {
        let lab = lab
        return try await Offload.run { try lab.deviceSummaries(named: name).first }
    }

    private func leave(_ viewer: Int) {
        viewers[viewer] = nil
        stopWhenNobodyFollows()
    }

    /// Nobody follows, nor is on the way in: nothing is kept.
    private func stopWhenNobodyFollows() {
        guard viewers.isEmpty, joining == 0 else { return }
        pump?.cancel()
        pump = nil
        devices = [:]
    }
}

extension LiveFleet.Device {
    /// Takes a device's registration from its summary (its lifecycle and latest event stay).
    fileprivate mutating func register(_ summary: DeviceSummary, revision: Int) {
        mode = summary.registration?.mode
        profile = summary.registration?.profile
        groupTag = summary.registration?.groupTag
        self.revision = revision
    }

    init(summary: DeviceSummary, latest: StoredEvent?, revision: Int) {
        self.init(name: summary.name, serial: summary.serial, model: summary.model, platform: summary.platform?.text,
                  mode: summary.registration?.mode,
                  profile: summary.registration?.profile, groupTag: summary.registration?.groupTag, lifecycle: summary.lifecycle,
                  outcome: summary.outcome, errorCode: summary.errorCode, phase: latest?.phase, step: latest?.step,
                  status: latest?.status, message: latest?.message, time: latest?.time, bootCount: summary.bootCount,
                  host: summary.host, revision: revision)
    }
}
