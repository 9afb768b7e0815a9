import LibXML

extension SMBIOSSysinfo {
    /// Writes `<bios>`, `<system>`, `<baseBoard>` and `<chassis>` with their non-nil entries, in
    /// the order libvirt itself writes them.
    func write(into sysinfo: XMLElement) {
        Self.writeBlock(sysinfo, "bios", [("vendor", bios.vendor), ("version", bios.version), ("date", bios.date)])
        Self.writeBlock(sysinfo, "system", [
            ("manufacturer", system.manufacturer), ("product", system.product), ("version", system.version),
            ("serial", system.serial), ("uuid", system.uuid), ("sku", system.sku), ("family", system.family),
        ])
        Self.writeBlock(sysinfo, "baseBoard", [
            ("manufacturer", baseBoard.manufacturer), ("product", baseBoard.product),
            ("version", baseBoard.version), ("serial", baseBoard.serial), ("asset", baseBoard.asset),
        ])
        Self.writeBlock(sysinfo, "chassis", [
            ("manufacturer", chassis.manufacturer), ("version", chassis.version), ("serial", chassis.serial),
            ("asset", chassis.asset), ("sku", chassis.sku),
        ])
    }

    private static func writeBlock(_ sysinfo: XMLElement, _ name: String, _ entries: [(String, String?)]) {
        let present = entries.compactMap { key, value in value.map { (key, $0) } }
        guard !present.isEmpty else { return }
        let block = sysinfo.append(name)
        for (key, value) in present { block.append("entry", text: value, attributes: ["name": key]) }
    }

    /// Reads the entries of a `<sysinfo type='smbios'>` element.
    init(reading sysinfo: XMLElement) {
        func entries(_ block: String) -> [String: String] {
            var values: [String: String] = [:]
            for entry in sysinfo.child(named: block)?.children(named: "entry") ?? [] {
                if let name = entry.attribute("name") { values[name] = entry.text }
            }
            return values
        }
        let bios = entries("bios"), system = entries("system"), board = entries("baseBoard"), chassis = entries("chassis")
        self.init(
            bios: BIOS(vendor: bios["vendor"], version: bios["version"], date: bios["date"]),
            system: System(manufacturer: system["manufacturer"], product: system["product"],
                           version: system["version"], serial: system["serial"], uuid: system["uuid"],
                           sku: system["sku"], family: system["family"]),
            baseBoard: BaseBoard(manufacturer: board["manufacturer"], product: board["product"],
                                 version: board["version"], serial: board["serial"], asset: board["asset"]),
            chassis: Chassis(manufacturer: chassis["manufacturer"], version: chassis["version"],
                             serial: chassis["serial"], asset: chassis["asset"], sku: chassis["sku"]))
    }
}
