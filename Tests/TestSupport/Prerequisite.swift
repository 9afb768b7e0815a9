import Foundation
public import Testing

/// What some tests need from the machine beyond the toolchain: libvirtd with its QEMU driver,
/// the lab guest real VMs boot, virt-admin, Chromium. `make test` installs and starts them all.
///
/// A test says what it needs with ``Trait/needs(_:)``: on a machine without it, `swift test`
/// reports the test skipped with the reason. With `PXELAB_REQUIRE_PREREQUISITES=1` (which
/// `make test`, and so CI, sets) such a test runs anyway and fails on what is missing, so that a
/// prerequisite that went missing is never skipped silently.
public enum Prerequisite: Sendable, CustomStringConvertible {
    /// libvirtd (or virtqemud) answering on its socket, with QEMU to run `qemu:///system` domains.
    case libvirtQEMU
    /// The lab guest real VMs network-boot (`make images`).
    case guestImage
    /// libvirt's admin client, to drop a client's connection to libvirtd.
    case virtAdmin
    /// Chromium, which the dashboard tests drive headless (`PXELAB_CHROMIUM` or /usr/bin/chromium).
    case chromium
    /// Microsoft's Graph SDKs for Python at their pinned versions (`scripts/install-clients.sh`,
    /// into `.build-clients/venv`).
    case graphSDK
    /// DMTF's Redfish validators and sushy at their pinned versions (`scripts/install-clients.sh`,
    /// into `.build-clients/redfish-venv`).
    case redfishClients
    /// swtpm and swtpm-tools (`swtpm_setup`, `swtpm_localca`): TPM 2.0s for the attestation tests.
    case swtpm
    /// OVMF with Secure Boot and Debian's signed shim and network GRUB: Secure Boot's network path.
    case secureBoot
    /// atftp, a TFTP client that negotiates options as GRUB does.
    case tftpClients
    /// What a second libvirt host in a network namespace needs (``NetnsLibvirtHost``): root (or
    /// sudo), iproute2, util-linux's unshare, libvirtd and virtlogd.
    case netnsHost

    /// Whether the machine has it.
    public var isPresent: Bool {
        let files = FileManager.default
        switch self {
        case .libvirtQEMU:
            let sockets = ["/run/libvirt/libvirt-sock", "/run/libvirt/virtqemud-sock"]
            return sockets.contains(where: files.fileExists) && ["/usr/bin/qemu-system-x86_64"].allSatisfy(files.isExecutableFile)
        case .guestImage:
            return ["vmlinuz", "initrd.img", "pxelab-agent"].allSatisfy { files.fileExists(atPath: Self.images.appendingPathComponent("build/\($0)").path) }
        case .virtAdmin:
            return files.isExecutableFile(atPath: "/usr/bin/virt-admin")
        case .chromium:
            return files.isExecutableFile(atPath: ProcessInfo.processInfo.environment["PXELAB_CHROMIUM"] ?? "/usr/bin/chromium")
        case .graphSDK:
            return files.fileExists(atPath: Self.clients.appendingPathComponent("venv/graph-sdk.installed").path)
        case .redfishClients:
            return files.fileExists(atPath: Self.clients.appendingPathComponent("redfish-venv/redfish.installed").path)
        case .swtpm:
            return ["/usr/bin/swtpm", "/usr/bin/swtpm_setup", "/usr/bin/swtpm_localca"].allSatisfy(files.isExecutableFile)
        case .tftpClients:
            return files.isExecutableFile(atPath: "/usr/bin/atftp")
        case .netnsHost:
            return (getuid() == 0 || (try? runTool("/usr/bin/sudo", ["-n", "true"])) == 0)
                && ["/usr/sbin/ip", "/usr/bin/unshare", "/usr/sbin/libvirtd", "/usr/sbin/virtlogd"].allSatisfy(files.isExecutableFile)
        case .secureBoot:
            return ["/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", "/usr/share/OVMF/OVMF_VARS_4M.ms.fd", "/usr/lib/shim/shimx64.efi.signed",
                    "/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed"].allSatisfy(files.fileExists)
        }
    }

    public var description: String {
        switch self {
        case .libvirtQEMU: "libvirtd with QEMU (qemu:///system)"
        case .guestImage: "the lab guest (make images)"
        case .virtAdmin: "virt-admin (libvirt-clients)"
        case .chromium: "Chromium"
        case .graphSDK: "the Graph SDKs for Python (scripts/install-clients.sh)"
        case .redfishClients: "DMTF's Redfish validators and sushy (scripts/install-clients.sh)"
        case .swtpm: "swtpm and swtpm-tools"
        case .secureBoot: "OVMF, shim-signed and grub-efi-amd64-signed"
        case .tftpClients: "atftp"
        case .netnsHost: "root or sudo, iproute2, unshare and libvirtd (a second libvirt host in a network namespace)"
        }
    }

    /// Whether a missing prerequisite fails its tests instead of skipping them.
    public static var required: Bool { ProcessInfo.processInfo.environment["PXELAB_REQUIRE_PREREQUISITES"] == "1" }

    /// Where `scripts/install-clients.sh` installs the Python clients.
    public static let clients = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../.build-clients").standardizedFileURL

    /// The repository's `Images/` folder.
    static let images = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Images").standardizedFileURL
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only on a machine with these prerequisites (always, and failing without
    /// them, under `PXELAB_REQUIRE_PREREQUISITES=1`).
    public static func needs(_ prerequisites: Prerequisite...) -> Self {
        let missing = prerequisites.filter { !$0.isPresent }
        return .enabled(if: missing.isEmpty || Prerequisite.required,
                        "needs \(missing.map(\.description).joined(separator: ", ")); make test installs and starts it")
    }
}
