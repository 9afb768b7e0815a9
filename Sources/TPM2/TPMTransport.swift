/// Carries a TPM command's bytes to a TPM and brings its response's bytes back: the kernel's TPM
/// device in a guest (``TPMDevice``), swtpm's TCP server in tests (``TPMSocket``).
///
/// ```swift
/// let tpm = TPM(transport: try TPMDevice())
/// ```
public protocol TPMTransport {
    /// Sends one whole command and returns the whole response (the TPM answers each command
    /// once, and takes one command at a time).
    func transmit(_ command: [UInt8]) throws -> [UInt8]
}
