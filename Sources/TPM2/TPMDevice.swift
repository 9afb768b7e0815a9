#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The kernel's TPM character device: `/dev/tpmrm0` (the in-kernel resource manager, which
/// flushes what a process leaves loaded when it closes) or else `/dev/tpm0`. A command is one
/// `write`, its response one `read` (the kernel hands it over whole, at most 4096 bytes).
///
/// ```swift
/// let tpm = TPM(transport: try TPMDevice())     // /dev/tpmrm0, or /dev/tpm0
/// let certificate = try tpm.endorsementCertificate()
/// ```
public final class TPMDevice: TPMTransport {
    public let path: String
    private let descriptor: Int32

    /// The paths tried in order when none is given.
    public static let defaultPaths = ["/dev/tpmrm0", "/dev/tpm0"]

    /// Opens `path`, or the first of ``defaultPaths`` that opens; the error names every path tried.
    public init(path: String? = nil) throws {
        var failures: [String] = []
        for candidate in path.map({ [$0] }) ?? Self.defaultPaths {
            let descriptor = open(candidate, O_RDWR | O_CLOEXEC)
            if descriptor >= 0 {
                self.path = candidate
                self.descriptor = descriptor
                return
            }
            failures.append("\(candidate): \(systemError(errno))")
        }
        throw TPMError.transport(endpoint: failures.joined(separator: ", "), operation: "open", reason: "no TPM device")
    }

    deinit { close(descriptor) }

    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try writeAll(command, to: descriptor, endpoint: path)
        var response = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = response.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TPMError.transport(endpoint: path, operation: "read", reason: systemError(errno))
            }
            return Array(response.prefix(count))
        }
    }
}
