public import Foundation
public import LabFiles

/// The lab guest that real VMs network-boot: Debian's cloud kernel, an initramfs with busybox,
/// the virtio drivers and the guest's init, and pxelab-agent, which the init fetches over the
/// guest's own network, built by `Images/build-image.sh` (`make images`) into `Images/build`,
/// from which the endpoint serves them.
public struct GuestImage: Sendable {
    public let imagesDirectory: URL

    public init(imagesDirectory: URL) { self.imagesDirectory = imagesDirectory }

    /// The memory a real VM needs to unpack the initramfs and run the agent.
    public static let minimumMemoryMiB = 512

    public var kernel: URL { imagesDirectory.appendingPathComponent("build/vmlinuz") }
    public var initrd: URL { imagesDirectory.appendingPathComponent("build/initrd.img") }
    public var agent: URL { imagesDirectory.appendingPathComponent("build/pxelab-agent") }
    public var recipe: URL { imagesDirectory.appendingPathComponent("build-image.sh") }

    /// Whether the kernel, the initramfs and the agent are there.
    public var isBuilt: Bool {
        [kernel, initrd, agent].allSatisfy { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Builds the image unless it is built; the recipe's output goes to standard error.
    public func ensureBuilt() throws {
        guard !isBuilt else { return }
        FileHandle.standardError.write(Data("pxelab: the guest image is missing; building it (\(recipe.path), which installs cpio, binutils and zstd if they are missing)\n".utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [recipe.path]
        process.standardOutput = FileHandle.standardError
        // Waits for the termination handler: Foundation's waitUntilExit spins a thread on Linux,
        // for the minutes the build takes.
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        ended.wait()
        guard process.terminationStatus == 0, isBuilt else {
            throw GuestImageError(message: "building the guest image failed (\(recipe.path) exited with "
                                  + "\(process.terminationStatus)); run make images to see why")
        }
    }

    /// The models of a lab too small to run the guest, as messages naming each.
    public static func undersizedModels(in labFile: LabFile) -> [String] {
        let used = Set(labFile.devices.map(\.model))
        return labFile.models.filter { used.contains($0.id) && $0.memoryMiB < minimumMemoryMiB }.map { model in
            "model '\(model.id)' has \(model.memoryMiB) MiB of memory; a real VM needs at least \(minimumMemoryMiB) MiB for the lab guest"
        }
    }
}

/// The guest image cannot be built or used.
public struct GuestImageError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
