import Foundation
import Hummingbird
import HummingbirdCore
import LabFiles
import LabService
import LabStore
import NIOCore
import Synchronization
import TFTP

/// pxelab's TFTP server, for UEFI Secure Boot's network path: Debian's signed GRUB has no HTTP,
/// so it asks here for the device's step (`grub/device?serial=...`, answered by the device's
/// lifecycle and counted as a boot, as `/ipxe` is for iPXE), then for the kernel and initrd. It
/// listens on the endpoint's port, UDP, on every address the endpoint listens on, so a VM reaches
/// both doors at the same address: 10.0.2.2:PORT on the controller's machine, the controller's
/// address towards another libvirt host for that host's VMs.
extension BootEndpoint {
    /// The file name GRUB's bootstrap asks for, before the device's identity.
    static let grubStep = "grub/device?"

    /// Each address listened on, with the address VMs reach the endpoint there at: QEMU's
    /// gateway for the first (VMs on the controller's machine), a further one's own unless
    /// ``Options/guestAddresses`` names another.
    var guestFacingAddresses: [(listen: String, guest: String)] {
        [(options.host, Lab.hostAddressFromGuest)] + options.alsoListenOn.map { ($0, options.guestAddresses[$0] ?? $0) }
    }

    /// Per address listened on: lays the signed chain out in the lab's TFTP folder for the VMs
    /// reaching it (QEMU's TFTP server gives it to their firmware), with GRUB's bootstrap naming
    /// the endpoint as they reach it, and starts a TFTP server there. What started is stopped
    /// again when one cannot.
    func startSecureBootNetwork(port: Int) async throws -> [TFTPServer] {
        var servers: [TFTPServer] = []
        do {
            for (listen, guest) in guestFacingAddresses {
                let base = "http://\(urlHost(guest)):\(port)"
                let bootstrap = templates.grubBoot.render { $0 == "tftp" ? tftpDevice(base: base) : nil }
                let folder = lab.directory.tftp(reachingEndpointAt: guest)
                try await Offload.run { try SignedBootChain(folder: folder).prepare(grubConfig: bootstrap) }
                servers.append(try await TFTPServer.start(host: listen, port: port, logger: logger, ended: { summary in
                    self.metrics.tftpTransfer(file: Self.fileKind(summary.request.path), outcome: Self.outcomeName(summary.outcome),
                                              duration: .nanoseconds(summary.duration.nanoseconds), bytes: summary.size)
                }) { request in
                    await self.tftpAnswer(request, base: base)
                })
            }
        } catch {
            for server in servers { await server.shutdown() }
            throw error
        }
        return servers
    }

    /// A transfer's file as metrics name it, from a small set (a file name may be anything).
    static func fileKind(_ path: String) -> String {
        if path.hasPrefix(grubStep) { return "step" }
        switch path.split(separator: "/").last {
        case "vmlinuz": return "vmlinuz"
        case "initrd.img": return "initrd.img"
        default: return "other"
        }
    }

    static func outcomeName(_ outcome: TFTPTransferSummary.Outcome) -> String {
        switch outcome {
        case .completed: "completed"
        case .timedOut: "timed-out"
        case .clientError: "client-error"
        case .illegalPacket: "illegal-packet"
        case .shutDown: "shut-down"
        }
    }

    /// A file for GRUB: the device's step (naming the endpoint at `base`, as the VM reaches it),
    /// or an asset (the kernel, the initrd) as `/assets/` serves it.
    func tftpAnswer(_ request: TFTPRequest, base: String) async -> TFTPAnswer {
        let path = request.path
        if path.hasPrefix(Self.grubStep) {
            do {
                let firmware = try FirmwareQuery(URI("/?" + path.dropFirst(Self.grubStep.count)))
                return .file(ByteBuffer(string: try await Offload.run { try self.deviceScript(for: firmware, from: request.client.ipAddress, loader: .grub, base: base) }))
            } catch {
                // GRUB prints the refusal and its bootstrap asks again; the operator sees it here.
                logger.warning("GRUB's step \(path) from \(request.client) refused: \(error)")
                return .accessViolation("\(path): \(error)")
            }
        }
        do {
            let file = try AssetPath.resolve(rawPath: "/" + path, imagesRoot: options.imagesDirectory, buildRoot: options.buildDirectory)
            return .file(try await Offload.run { try self.keptFiles.bytes(of: file) })
        } catch {
            return .notFound("\(path): \(error)")
        }
    }
}

/// Files read once and kept while they stay the same (size and modification time): the kernel
/// and initrd every Secure Boot VM fetches over TFTP, sent from one buffer.
final class KeptFiles: Sendable {
    private struct Kept {
        let size: Int
        let modified: Date
        let bytes: ByteBuffer
    }

    private let files = Mutex<[String: Kept]>([:])

    func bytes(of file: URL) throws -> ByteBuffer {
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        guard attributes[.type] as? FileAttributeType == .typeRegular, let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw NotAFile(path: file.path)
        }
        let modified = attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
        if let kept = files.withLock({ $0[file.path] }), kept.size == size, kept.modified == modified { return kept.bytes }
        let bytes = ByteBuffer(bytes: try Data(contentsOf: file))
        files.withLock { $0[file.path] = Kept(size: size, modified: modified, bytes: bytes) }
        return bytes
    }

    /// A TFTP request resolved to something that is not a regular file (a folder, a device).
    struct NotAFile: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) is not a file" }
    }
}
