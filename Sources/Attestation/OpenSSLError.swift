internal import CLibCrypto

/// A failed OpenSSL call, with OpenSSL's own reasons: its error queue, oldest first, as
/// `ERR_error_string_n` writes each entry (library, function, reason).
///
/// ```swift
/// "\(error)"  // d2i_X509 failed: error:068000A8:asn1 encoding routines::wrong tag; ...
/// ```
public struct OpenSSLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The OpenSSL function that failed.
    public let function: String
    public let reasons: [String]

    public var description: String {
        "\(function) failed: " + (reasons.isEmpty ? "OpenSSL gave no reason" : reasons.joined(separator: "; "))
    }

    /// Empties this thread's error queue into an error for `function`.
    static func drain(_ function: String) -> OpenSSLError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(function: function, reasons: reasons)
    }

    /// Throws unless an OpenSSL call returned 1 (or, for `minimum: 0`, anything not negative).
    static func check(_ status: Int32, _ function: String, minimum: Int32 = 1) throws {
        guard status >= minimum else { throw AttestationError.openSSL(drain(function)) }
    }

    /// Unwraps a pointer an OpenSSL call returned, throwing its reasons on nil.
    static func check<Pointer>(_ pointer: Pointer?, _ function: String) throws -> Pointer {
        guard let pointer else { throw AttestationError.openSSL(drain(function)) }
        return pointer
    }
}
