import Foundation
internal import CLibvirt

/// Process-wide libvirt set-up, done once before the first connection opens.
///
/// - Installs a silent error handler: libvirt would otherwise print every error to stderr;
///   errors reach callers as ``LibvirtError`` instead.
/// - Registers libvirt's default event loop implementation (which must happen before the first
///   `virConnectOpen`, or event registration fails with "could not initialize domain event
///   timer") and runs it on a dedicated thread for the life of the process.
enum Runtime {
    static let initialized: Void = {
        virSetErrorFunc(nil, silentErrorHandler)
        guard virInitialize() == 0, virEventRegisterDefaultImpl() == 0 else {
            fatalError("libvirt could not initialise: \(LibvirtError.last("virEventRegisterDefaultImpl"))")
        }
        let thread = Thread {
            while true {
                if virEventRunDefaultImpl() < 0 {
                    // A failing iteration is reported but must not stop event delivery.
                    virResetLastError()
                }
            }
        }
        thread.name = "libvirt-event-loop"
        thread.stackSize = 1 << 20
        thread.start()
    }()
}

/// Swallows libvirt's default error printing; the binding reports errors itself.
private func silentErrorHandler(_ userData: UnsafeMutableRawPointer?, _ error: virErrorPtr?) {}
