/// The small disk a lab device keeps its state on (a real VM's agent writes the device's state
/// file there): a qcow2 volume in the lab's `disks/` folder, the domain's first virtio disk. A
/// BMC's storage view shows it as the system's one drive.
public enum StateDisk {
    public static let capacityMiB = 256
    /// The domain's `<target dev=...>`.
    public static let target = "vda"
}
