/// The steps both ends of the device protocol name: a device reports them (or asks the
/// controller at them), and the controller answers or acts on them. Steps a device only reports
/// (an app's install, a page's progress) are named where it reports them.
public enum ProtocolStep {
    /// The step a device reports last in a phase that ends its deployment attempt: failed means
    /// the deployment failed (the device shows its error screen).
    public static let outcome = "outcome"
    /// `boot`: the firmware network-booted (one per boot).
    public static let firmware = "firmware"
    /// `boot`: a new boot of a device whose last attempt failed; it asks whether to reset, wipe,
    /// reboot or power off, and otherwise tries again.
    public static let failure = "failure"
    /// `boot`: a machine that stays on, on the error its attempt ended with; it asks whether to
    /// reset, wipe, reboot or power off, and otherwise stays there (as a user who walked away
    /// would leave it).
    public static let errorScreen = "error-screen"
    /// `boot`: a broken system's recovery screen; it asks for the repair.
    public static let recovery = "recovery"
    /// The OOBE pages the profile does not hide: `page:language` and so on.
    public static func page(_ name: String) -> String { "page:" + name }
    /// `oobe-pages`: the branded sign-in.
    public static let signIn = "sign-in"
    /// `technician`: the first screen, where a technician may start pre-provisioning.
    public static let technicianStart = "start"
    /// `technician`: the green screen's Reseal.
    public static let reseal = "reseal"
    /// The ESP's error screen (any ESP phase): it asks which button to press.
    public static let espError = "esp-error"
    /// `desktop`: business-ready (with the device's name).
    public static let ready = "ready"
    /// `desktop`: at the desktop, asking for work.
    public static let idle = "idle"
    /// `lifecycle` flows the device carries out.
    public static let reset = "reset"
    public static let wipe = "wipe"
    public static let retire = "retire"
    public static let damage = "damage"
}
