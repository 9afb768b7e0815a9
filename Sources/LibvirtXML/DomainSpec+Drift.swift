extension DomainSpec {
    /// The fields of this (desired) definition that a stored definition does not match.
    ///
    /// Values this spec leaves to libvirt (architecture and machine type when nil) are not
    /// compared, so a definition libvirt completed still matches the spec it came from.
    /// An empty result means the stored domain is up to date.
    public func drift(from stored: DomainSpec) -> [String] {
        var changed: [String] = []
        func compare<Value: Equatable>(_ name: String, _ desired: Value, _ actual: Value) {
            if desired != actual { changed.append(name) }
        }
        compare("type", type, stored.type)
        compare("name", name, stored.name)
        compare("uuid", uuid, stored.uuid)
        compare("title", title, stored.title)
        compare("memory", memoryKiB, stored.memoryKiB)
        compare("vcpus", vcpus, stored.vcpus)
        compare("sysinfo", sysinfo, stored.sysinfo)
        if let arch = os.arch { compare("os.arch", arch, stored.os.arch) }
        if let machine = os.machine, !Self.machine(stored.os.machine, expands: machine) { changed.append("os.machine") }
        compare("os.boot", os.bootOrder, stored.os.bootOrder)
        compare("os.smbios", os.smbiosMode, stored.os.smbiosMode)
        compare("os.firmware", os.firmware, stored.os.firmware)
        compare("tpm", tpm, stored.tpm)
        compare("features.acpi", acpi, stored.acpi)
        compare("disks", disks, stored.disks)
        compare("interfaces", interfaces, stored.interfaces)
        compare("serial", serialConsole, stored.serialConsole)
        compare("network boot", networkBoot, stored.networkBoot)
        compare("vnc", vncListen, stored.vncListen)
        compare("metadata", labMetadata, stored.labMetadata)
        return changed
    }

    /// Whether a stored machine type is the desired one, or the version libvirt expanded the
    /// desired alias to (`q35` is stored as `pc-q35-7.2`, `pc` as `pc-i440fx-7.2`).
    static func machine(_ stored: String?, expands desired: String) -> Bool {
        guard let stored else { return false }
        switch desired {
        case "q35": return stored == desired || stored.hasPrefix("pc-q35-")
        case "pc": return stored == desired || stored.hasPrefix("pc-i440fx-")
        default: return stored == desired
        }
    }
}
