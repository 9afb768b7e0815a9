import Foundation
public import DeviceProtocol

/// What a device's boot script depends on: its lifecycle state and how often it has booted.
public struct DeviceBootStatus: Sendable, Equatable {
    public var lifecycle: DeviceLifecycle
    public var bootCount: Int

    public init(lifecycle: DeviceLifecycle, bootCount: Int) {
        self.lifecycle = lifecycle
        self.bootCount = bootCount
    }
}

/// Every device's ``DeviceBootStatus``, mirrored in memory so the boot-script route answers
/// without a round trip to SQLite.
///
/// The store keeps it current. It is loaded on the database's writer, and each write to a
/// device's lifecycle updates it inside its transaction, just before the commit, so no write falls
/// between a load and the writes after it; for that moment a boot script may show a lifecycle
/// whose transaction then fails, after which the mirror is emptied and loads again at its next
/// use. A recorded boot counts at once, before its write is committed, so a boot count may be one
/// ahead of the database for a moment, or one behind after a reload. Writes made by another
/// process to the same store are not seen: a lab has one serving process (`pxelab serve` or
/// `pxelab run`).
final class BootStatusMirror: @unchecked Sendable {
    private let lock = NSLock()
    /// Nil until loaded, and after a failed write.
    private var statuses: [String: DeviceBootStatus]?

    /// A device's status: `.some(nil)` for a device it does not have, nil when not loaded.
    func lookup(_ name: String) -> DeviceBootStatus?? {
        lock.withLock { statuses.map { $0[name] } }
    }

    /// Takes every device's status, as read on the writer.
    func install(_ loaded: [String: DeviceBootStatus]) {
        lock.withLock { statuses = loaded }
    }

    /// Counts a boot: the device's status with it; `.some(nil)` for a device it does not have,
    /// nil while not loaded. (One step, so that the mirror cannot be emptied in between.)
    func countBoot(_ name: String) -> DeviceBootStatus?? {
        lock.withLock {
            guard statuses != nil else { return nil }
            guard var status = statuses?[name] else { return .some(nil) }
            status.bootCount += 1
            statuses?[name] = status
            return .some(status)
        }
    }

    /// Changes a device's mirrored status (nothing while the mirror is not loaded); returns it.
    @discardableResult
    func update(_ name: String, _ change: (inout DeviceBootStatus) -> Void) -> DeviceBootStatus? {
        lock.withLock {
            guard var status = statuses?[name] else { return nil }
            change(&status)
            statuses?[name] = status
            return status
        }
    }

    /// Forgets everything: the next use loads from the database.
    func invalidate() {
        lock.withLock { statuses = nil }
    }
}
