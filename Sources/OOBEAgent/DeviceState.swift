public import Foundation
public import DeviceProtocol

/// What a device keeps across reboots, as Windows does on its disk: regional settings, the
/// cached Autopilot profile, join and enrollment, installed apps and policies, the user and their
/// files. Lifecycle flows act on it (a reset keeps enrollment, a wipe keeps nothing). The
/// firmware part (event sequence, hash collections, boots) survives even a wipe.
public struct DeviceState: Codable, Sendable, Equatable {
    // Firmware: kept by wipes.
    /// The last event sequence number the device used.
    public var eventSeq = 0
    /// How many times the hardware hash was collected (each OOBE collects it again).
    public var hashCollection = 0
    public var bootCount = 0
    /// One-time faults that already struck (by id).
    public var firedFaults: [String] = []

    // The installed system.
    public var regional: Regional?
    /// The profile downloaded during OOBE; kept once the device is enrolled, so later edits to
    /// the profile reach it only after a reset.
    public var cachedProfile: AutopilotProfileDocument?
    /// OOBE pages done.
    public var pagesDone: [String] = []
    public var join: JoinState = .none
    /// The MDM enrollment, once enrolled.
    public var enrollment: Enrollment?
    /// Pre-provisioning: the technician phase is done and the device was resealed.
    public var resealed = false
    /// Hybrid: the offline domain-join blob was applied and the device must reboot.
    public var hybridRebootPending = false
    public var deviceName: String?
    /// Device-targeted policies, certificates, network profiles and apps in place (by id).
    public var deviceItems: [String] = []
    /// User-targeted items in place.
    public var userItems: [String] = []
    /// Wi-Fi profiles (kept by Autopilot Reset).
    public var wifiProfiles: [String] = []
    /// SCEP certificates (kept by Autopilot Reset).
    public var certificates: [String] = []
    /// Provisioning packages (kept by Autopilot Reset).
    public var provisioningPackages: [String] = []
    public var primaryUser: String?
    /// Personal files in the user's profile.
    public var userFiles: [String] = []
    /// Business-ready: OOBE and the ESP are done.
    public var businessReady = false
    /// The failure the device shows, if any.
    public var failure: Failure?
    /// Whether the Windows Recovery Environment is enabled (Autopilot Reset needs it).
    public var winRE = true
    /// After an Autopilot Reset the desktop waits for an MDM sync.
    public var syncPendingAfterReset = false
    /// A broken system, for break/fix drills.
    public var damage: Damage?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case eventSeq, hashCollection, bootCount, firedFaults, regional, cachedProfile, pagesDone, join, enrollment, resealed, hybridRebootPending, deviceName, deviceItems, userItems, wifiProfiles, certificates, provisioningPackages, primaryUser, userFiles, businessReady, failure, winRE, syncPendingAfterReset, damage
    }

    /// Reads a state written by any version of the agent: fields it does not hold keep their
    /// defaults, so an older disk still boots.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let value = try container.decodeIfPresent(type(of: self.eventSeq), forKey: .eventSeq) { self.eventSeq = value }
        if let value = try container.decodeIfPresent(type(of: self.hashCollection), forKey: .hashCollection) { self.hashCollection = value }
        if let value = try container.decodeIfPresent(type(of: self.bootCount), forKey: .bootCount) { self.bootCount = value }
        if let value = try container.decodeIfPresent(type(of: self.firedFaults), forKey: .firedFaults) { self.firedFaults = value }
        if let value = try container.decodeIfPresent(type(of: self.regional), forKey: .regional) { self.regional = value }
        if let value = try container.decodeIfPresent(type(of: self.cachedProfile), forKey: .cachedProfile) { self.cachedProfile = value }
        if let value = try container.decodeIfPresent(type(of: self.pagesDone), forKey: .pagesDone) { self.pagesDone = value }
        if let value = try container.decodeIfPresent(type(of: self.join), forKey: .join) { self.join = value }
        if let value = try container.decodeIfPresent(type(of: self.enrollment), forKey: .enrollment) { self.enrollment = value }
        if let value = try container.decodeIfPresent(type(of: self.resealed), forKey: .resealed) { self.resealed = value }
        if let value = try container.decodeIfPresent(type(of: self.hybridRebootPending), forKey: .hybridRebootPending) { self.hybridRebootPending = value }
        if let value = try container.decodeIfPresent(type(of: self.deviceName), forKey: .deviceName) { self.deviceName = value }
        if let value = try container.decodeIfPresent(type(of: self.deviceItems), forKey: .deviceItems) { self.deviceItems = value }
        if let value = try container.decodeIfPresent(type(of: self.userItems), forKey: .userItems) { self.userItems = value }
        if let value = try container.decodeIfPresent(type(of: self.wifiProfiles), forKey: .wifiProfiles) { self.wifiProfiles = value }
        if let value = try container.decodeIfPresent(type(of: self.certificates), forKey: .certificates) { self.certificates = value }
        if let value = try container.decodeIfPresent(type(of: self.provisioningPackages), forKey: .provisioningPackages) { self.provisioningPackages = value }
        if let value = try container.decodeIfPresent(type(of: self.primaryUser), forKey: .primaryUser) { self.primaryUser = value }
        if let value = try container.decodeIfPresent(type(of: self.userFiles), forKey: .userFiles) { self.userFiles = value }
        if let value = try container.decodeIfPresent(type(of: self.businessReady), forKey: .businessReady) { self.businessReady = value }
        if let value = try container.decodeIfPresent(type(of: self.failure), forKey: .failure) { self.failure = value }
        if let value = try container.decodeIfPresent(type(of: self.winRE), forKey: .winRE) { self.winRE = value }
        if let value = try container.decodeIfPresent(type(of: self.syncPendingAfterReset), forKey: .syncPendingAfterReset) { self.syncPendingAfterReset = value }
        if let value = try container.decodeIfPresent(type(of: self.damage), forKey: .damage) { self.damage = value }
    }

    public struct Regional: Codable, Sendable, Equatable {
        public var language: String
        public var region: String
        public var keyboard: String

        public init(language: String, region: String, keyboard: String) {
            self.language = language
            self.region = region
            self.keyboard = keyboard
        }
    }

    public enum JoinState: Codable, Sendable, Equatable {
        case none
        case entra(deviceID: String)
        case hybrid(domain: String, deviceID: String)
    }

    public struct Enrollment: Codable, Sendable, Equatable {
        public var mdmDeviceID: String
        public var enrolledAt: Date

        public init(mdmDeviceID: String, enrolledAt: Date) {
            self.mdmDeviceID = mdmDeviceID
            self.enrolledAt = enrolledAt
        }
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var phase: OOBEPhase
        public var step: String
        public var errorCode: UInt32?
        public var message: String
    }

    /// A factory-fresh (or wiped) system; the firmware part is kept.
    public func wiped() -> DeviceState {
        var fresh = DeviceState()
        fresh.eventSeq = eventSeq
        fresh.hashCollection = hashCollection
        fresh.bootCount = bootCount
        fresh.firedFaults = firedFaults
        fresh.winRE = winRE
        return fresh
    }
}

/// Where a device keeps its state: a file on its disk.
public protocol DeviceStorage: Sendable {
    func load() throws -> DeviceState?
    func save(_ state: DeviceState) throws
}

/// A JSON file: for a virtual device in the lab folder, for a real VM on its state disk.
public struct FileDeviceStorage: DeviceStorage {
    public let file: URL
    /// Whether each save reaches the disk before it counts (fsync): for a real VM, which can be
    /// powered off at any moment; a virtual device's file only has to survive pxelab dying.
    public let durable: Bool

    public init(file: URL, durable: Bool = false) {
        self.file = file
        self.durable = durable
    }

    /// The state on the disk; nil for an empty disk (no file yet).
    public func load() throws -> DeviceState? {
        guard let data = try contents() else { return nil }
        do {
            return try ProtocolJSON.decoder().decode(DeviceState.self, from: data)
        } catch {
            throw DeviceStateFileError(path: file.path, problem: ProtocolJSON.problem(error))
        }
    }

    /// The file's bytes; nil when there is no file.
    private func contents() throws -> Data? {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 && errno == ENOENT { return nil }
        guard descriptor >= 0 else { throw StorageError(path: file.path, operation: "open", code: errno) }
        defer { close(descriptor) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw StorageError(path: file.path, operation: "read", code: errno) }
            if count == 0 { return data }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes the state so that a device (or pxelab) killed at any moment leaves the old state or
    /// the new one, never half of one.
    ///
    /// Durable storage (a real VM's disk) writes a temporary file beside the real one, syncs it
    /// and renames it over. Otherwise, like the store, the state only has to survive the process
    /// dying, not the machine losing power: when the file exists and the state fits in one page
    /// it is rewritten in place with one `pwrite` at offset 0, padded with spaces (JSON's
    /// whitespace) to at least the old length so that nothing of the old state is left after it.
    /// The kernel copies a single page whole, so a kill sees either write; and no new file is
    /// created per save (a new inode each time is most of a save's cost on ext4).
    public func save(_ state: DeviceState) throws {
        let data = try ProtocolJSON.encoder().encode(state)
        if !durable, try rewriteInPlace(data) { return }
        let temporary = file.path + ".saving"
        var descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if descriptor < 0, errno == ENOENT {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        }
        guard descriptor >= 0 else { throw StorageError(path: temporary, operation: "open", code: errno) }
        let written = data.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress, buffer.count) }
        let writeError = written == data.count ? 0 : (errno != 0 ? errno : EIO)
        let syncError = writeError == 0 && durable && fsync(descriptor) != 0 ? errno : 0
        close(descriptor)
        guard writeError == 0 else { throw StorageError(path: temporary, operation: "write", code: writeError) }
        guard syncError == 0 else { throw StorageError(path: temporary, operation: "fsync", code: syncError) }
        guard rename(temporary, file.path) == 0 else { throw StorageError(path: file.path, operation: "rename", code: errno) }
    }

    /// The in-place rewrite; false when it does not apply (no file yet, or more than a page).
    private func rewriteInPlace(_ data: Data) throws -> Bool {
        let page = 4096
        guard data.count <= page else { return false }
        let descriptor = open(file.path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) <= page else { return false }
        var bytes = [UInt8](data)
        if bytes.count < Int(status.st_size) { bytes += repeatElement(UInt8(ascii: " "), count: Int(status.st_size) - bytes.count) }
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == bytes.count else { throw StorageError(path: file.path, operation: "write", code: written < 0 ? errno : EIO) }
        return true
    }
}

/// A device's state file that does not hold a device's state.
public struct DeviceStateFileError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "\(path) is not a device's state: \(problem)" }
}

/// A device's state could not be read or written.
public struct StorageError: Error, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let code: Int32
    public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
}

extension DeviceState {
    /// How to tell whether the device holds an aspect, and whether two states hold the same of it.
    private static let aspectChecks: [(aspect: DeviceAspect, present: @Sendable (DeviceState) -> Bool,
                                       same: @Sendable (DeviceState, DeviceState) -> Bool)] = [
        (.wifi, { !$0.wifiProfiles.isEmpty }, { $0.wifiProfiles == $1.wifiProfiles }),
        (.certificates, { !$0.certificates.isEmpty }, { $0.certificates == $1.certificates }),
        (.provisioningPackages, { !$0.provisioningPackages.isEmpty }, { $0.provisioningPackages == $1.provisioningPackages }),
        (.join, { $0.join != .none }, { $0.join == $1.join }),
        (.enrollment, { $0.enrollment != nil }, { $0.enrollment == $1.enrollment }),
        (.apps, { !($0.deviceItems.isEmpty && $0.userItems.isEmpty) },
         { Set($0.deviceItems + $0.userItems).isSubset(of: Set($1.deviceItems + $1.userItems)) }),
        (.userFiles, { !$0.userFiles.isEmpty }, { $0.userFiles == $1.userFiles }),
        (.primaryUser, { $0.primaryUser != nil }, { $0.primaryUser == $1.primaryUser }),
        (.regionalSettings, { $0.regional != nil }, { $0.regional == $1.regional }),
        (.deviceName, { $0.deviceName != nil }, { $0.deviceName == $1.deviceName }),
        (.cachedProfile, { $0.cachedProfile != nil }, { $0.cachedProfile == $1.cachedProfile }),
    ]

    /// What a lifecycle flow keeps and removes of what the device holds.
    public struct Change: Equatable, Sendable {
        public var kept: [DeviceAspect]
        public var removed: [DeviceAspect]

        /// `kept: wifi, join; removed: apps`, for people.
        public var summary: String {
            "kept: \(kept.map(\.rawValue).joined(separator: ", ")); removed: \(removed.map(\.rawValue).joined(separator: ", "))"
        }
    }

    /// What changing from this state to `after` keeps and removes.
    public func change(to after: DeviceState) -> Change {
        var change = Change(kept: [], removed: [])
        for check in Self.aspectChecks where check.present(self) {
            if check.same(self, after) { change.kept.append(check.aspect) } else { change.removed.append(check.aspect) }
        }
        return change
    }
}
