/// What pressing a device's power button (or libvirt) does.
public enum PowerAction: String, Sendable, Equatable, CaseIterable {
    case on, off, reboot
}
