public import Foundation
public import DeviceProtocol

/// What the device's firmware and TPM are, as the device itself finds them: a real VM's guest
/// reads UEFI's variables and its TPM; a virtual device is given its model's values, so a lab
/// file means the same on both.
public struct DevicePlatform: Sendable {
    /// Whether the firmware is UEFI (otherwise a legacy BIOS).
    public var uefi: Bool
    /// Whether UEFI Secure Boot is on (`SecureBoot` in UEFI's global variables).
    public var secureBoot: Bool
    public var tpm: TPM

    public init(uefi: Bool, secureBoot: Bool, tpm: TPM) {
        self.uefi = uefi
        self.secureBoot = secureBoot
        self.tpm = tpm
    }

    /// The TPM the device has.
    public enum TPM: Sendable {
        case none
        /// A TPM 1.2, which Autopilot's attestation cannot use.
        case v1_2
        /// A TPM 2.0 the lab file declares (a virtual device's: the endpoint checks the lab file).
        case declared
        /// A TPM 2.0 the device talks to, which proves what it holds.
        case device(any TrustedPlatformModule)

        /// Whether attestation can use it.
        public var isVersion2: Bool {
            switch self {
            case .none, .v1_2: false
            case .declared, .device: true
            }
        }

        /// Its version, nil for none.
        public var version: String? {
            switch self {
            case .none: nil
            case .v1_2: "1.2"
            case .declared, .device: "2.0"
            }
        }
    }

    /// As the device's firmware event says it: `UEFI, Secure Boot on, TPM 2.0`.
    public var text: String { PlatformText.describe(uefi: uefi, secureBoot: secureBoot, tpm: tpm.version) }
}

/// A TPM 2.0 as attestation uses it: its endorsement key's certificate and public area, and the
/// credential activation that proves the device holds that key.
public protocol TrustedPlatformModule: Sendable {
    /// The evidence a device sends: its EK certificate and public area, and a new attestation key.
    func evidence() throws -> AttestationEvidence
    /// Recovers the secret of a credential made for this TPM's EK and attestation key
    /// (`TPM2_ActivateCredential`); fails for any other TPM.
    func activate(_ challenge: AttestationChallenge) throws -> Data
}
