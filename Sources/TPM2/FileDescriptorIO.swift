#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's text for an `errno`, for ``TPMError/transport(endpoint:operation:reason:)``.
func systemError(_ code: Int32) -> String { String(cString: strerror(code)) }

/// Writes all of `bytes` to `descriptor`, again after a signal or a short write.
func writeAll(_ bytes: [UInt8], to descriptor: Int32, endpoint: String) throws {
    var written = 0
    while written < bytes.count {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
        if count < 0 {
            if errno == EINTR { continue }
            throw TPMError.transport(endpoint: endpoint, operation: "write", reason: systemError(errno))
        }
        written += count
    }
}
