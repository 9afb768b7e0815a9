import Foundation
import Hummingbird
import HummingbirdCore
import LabService
import LabStore
import NIOCore
import Synchronization
import TFTP

/// pxelab's TFTP server, for UEFI Secure Boot's network path: Debian's signed GRUB has no HTTP,
/// so it asks here for the device's step (`grub/device?serial=...`, answered by the device's
/// lifecycle and counted as a boot, as `/ipxe` is for iPXE), then for the kernel and initrd. It
/// listens on the endpoint's port, UDP, so a VM reaches both doors at 10.0.2.2:PORT.
extension BootEndpoint {
    /// The file name GRUB's bootstrap asks for, before the device's identity.
    static let grubStep = "grub/device?"

    /// The endpoint's URL as a VM reaches it (its TFTP server is at the same address and port).
    func guestFacing(port: Int) -> String { "http://\(Lab.hostAddressFromGuest):\(port)" }

    /// Lays the signed chain out in the lab's `tftp/` folder (QEMU's TFTP server gives it to the
    /// firmware) with GRUB's bootstrap pointing at this endpoint's port, and starts the TFTP server.
    func startSecureBootNetwork(port: Int) async throws -> TFTPServer {
        let bootstrap = templates.grubBoot.render { $0 == "tftp" ? tftpDevice(base: guestFacing(port: port)) : nil }
        try await Offload.run { try SignedBootChain(folder: self.lab.directory.tftp).prepare(grubConfig: bootstrap) }
        return try await TFTPServer.start(host: options.host, port: port, logger: logger, ended: { summary in
            self.metrics.tftpTransfer(file: Self.fileKind(summary.request.path), outcome: Self.outcomeName(summary.outcome),
                                      duration: .nanoseconds(summary.duration.nanoseconds), bytes: summary.size)
        }) { request in
            await self.tftpAnswer(request, port: port)
        }
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

    /// A file for GRUB: the device's step, or an asset (the kernel, the initrd) as `/assets/` serves it.
    func tftpAnswer(_ request: TFTPRequest, port: Int) async -> TFTPAnswer {
        let path = request.path
        if path.hasPrefix(Self.grubStep) {
            do {
                let firmware = try FirmwareQuery(URI("/?" + path.dropFirst(Self.grubStep.count)))
                let base = guestFacing(port: port)
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
            throw EndpointSetupError("\(file.path) is not a file")
        }
        let modified = attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
        if let kept = files.withLock({ $0[file.path] }), kept.size == size, kept.modified == modified { return kept.bytes }
        let bytes = ByteBuffer(bytes: try Data(contentsOf: file))
        files.withLock { $0[file.path] = Kept(size: size, modified: modified, bytes: bytes) }
        return bytes
    }
}
