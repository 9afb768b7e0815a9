/// A device's firmware, Secure Boot and TPM as people read them, in its firmware event, the
/// dashboard and reports: `UEFI, Secure Boot on, TPM 2.0`, `BIOS, no TPM`.
public enum PlatformText {
    /// `tpm` is the TPM's version (`2.0`, `1.2`), nil when there is none.
    public static func describe(uefi: Bool, secureBoot: Bool, tpm: String?) -> String {
        (uefi ? "UEFI, Secure Boot " + (secureBoot ? "on" : "off") : "BIOS") + ", " + (tpm.map { "TPM \($0)" } ?? "no TPM")
    }
}
