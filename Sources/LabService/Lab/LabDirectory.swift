public import Foundation

/// A lab's state folder, `<state root>/<lab>/` (by default `.pxelab/<lab>/`): the embedded
/// host's saved state, the record of where the lab was brought up, device disks and consoles.
///
/// Folders are created owner-only (0700). Commands that change a lab hold its lock, so two
/// `pxelab` processes never modify one lab at the same time.
public struct LabDirectory: Sendable {
    /// The folder.
    public let url: URL
    /// The lab's name.
    public let lab: String

    /// The default state root, `.pxelab` in the working directory, or `$PXELAB_STATE_DIR`.
    public static var defaultRoot: URL {
        if let configured = ProcessInfo.processInfo.environment["PXELAB_STATE_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, isDirectory: true)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
            .appendingPathComponent(".pxelab", isDirectory: true)
    }

    public init(root: URL, lab: String) {
        self.url = root.appendingPathComponent(lab, isDirectory: true).standardizedFileURL
        self.lab = lab
    }

    /// Creates the folder (owner-only) if it does not exist.
    public func create() throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// A file or folder inside the lab folder.
    public func path(_ component: String) -> URL { url.appendingPathComponent(component) }

    /// Every lab folder under a state root that holds a lab record (none when there is no root).
    public static func all(under root: URL) throws -> [LabDirectory] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root.path)
        } catch {
            throw LabError.unreadable(file: root.path, problem: error.localizedDescription)
        }
        return names.sorted().map { LabDirectory(root: root, lab: $0) }
            .filter { FileManager.default.fileExists(atPath: $0.path(LabPlacement.fileName).path) }
    }

    /// Runs `body` while holding the lab's exclusive lock (`flock` on `.lock`).
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try create()
        let descriptor = open(path(".lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path(".lock").path])
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Writes a file atomically with owner-only permissions.
    public func writeAtomically(_ data: Data, to file: URL) throws {
        try writeAtomically(to: file) { handle in try handle.write(contentsOf: data) }
    }

    /// Writes a file atomically with owner-only permissions, piece by piece: `write` fills a
    /// temporary file beside it, which then replaces the file (or is removed if `write` throws).
    public func writeAtomically(to file: URL, _ write: (FileHandle) throws -> Void) throws {
        let temporary = file.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil,
                                             attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        do {
            try write(handle)
            // A write the kernel reports late (a full disk) fails here, before the old file goes.
            try handle.close()
        } catch {
            try? handle.close()  // already failing: the write's error is the one to report
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, file.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
    }
}
