/// The phases a device goes through, from power-on to the desktop, as it reports them.
public enum OOBEPhase: String, Codable, CodingKeyRepresentable, Sendable, CaseIterable {
    /// Firmware, PXE and iPXE: the boot scripts.
    case boot
    /// Network connectivity (DHCP, reaching the service).
    case network
    /// Autopilot profile download (with retries; 807, 815, "assigning").
    case profile
    /// The OOBE pages the profile does not hide (language, region, keyboard, EULA, privacy, account).
    case oobePages = "oobe-pages"
    /// Pre-provisioning's technician flow (Win x5, Provision, Reseal).
    case technician
    /// Joining the organisation: Entra join, hybrid (offline domain join, DC check, reboot),
    /// self-deploying TPM attestation.
    case identity
    /// MDM enrollment.
    case enrollment
    /// ESP: device preparation (securing hardware, joining, registering for MDM).
    case espDevicePreparation = "esp-device-preparation"
    /// ESP: device setup (device-targeted policies, certificates, network profiles, apps).
    case espDeviceSetup = "esp-device-setup"
    /// ESP: account setup (user-targeted items).
    case espAccountSetup = "esp-account-setup"
    /// The desktop: business-ready.
    case desktop
    /// Autopilot Reset, wipe and other lifecycle flows acting on the device.
    case lifecycle
}

/// How a reported step went.
public enum StepStatus: String, Codable, Sendable, CaseIterable {
    case started, progress, completed, skipped, failed, info
}
