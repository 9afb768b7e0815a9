import DeviceIdentity

/// Reads the `models` section: hardware models by id.
struct ModelReader {
    let log: DiagnosticLog

    static let fields = ["manufacturer", "product", "version", "sku", "family", "chassis", "board", "bios", "memory", "vcpus",
                         "disk", "firmware", "secureBoot", "tpm", "winre"]

    func read(_ value: YAMLValue) -> [DeviceModel] {
        guard case .mapping(let mapping) = value.node else {
            value.error("expected a mapping of model ids to models, found \(value.node.kindName)")
            return []
        }
        let ids = Array(mapping.keys.compactMap { $0.scalar?.string })
        let section = MappingReader(mapping: mapping, path: value.path, log: log, allowed: ids)
        if ids.isEmpty { value.error("declare at least one model") }
        return ids.compactMap { id in section.required(id).flatMap { read(id: id, $0) } }
    }

    private func read(id: String, _ value: YAMLValue) -> DeviceModel? {
        guard let fields = value.mapping(allowing: Self.fields) else { return nil }
        if !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            value.error("model id '\(id)' may use letters, digits, '-' and '_' only")
        }
        let manufacturer = fields.required("manufacturer").flatMap { SMBIOSText.read($0) }
        let product = fields.required("product").flatMap { SMBIOSText.read($0) }
        let board = fields["board"]?.mapping(allowing: ["manufacturer", "product"])
        let chassis = fields["chassis"]?.oneOf(ChassisType.allCases.map { ($0.name, $0) }) ?? .notebook
        let bios = fields["bios"]?.mapping(allowing: ["vendor", "version", "date"])
        let biosDate = bios?["date"].flatMap(Self.biosDate)
        let firmware = fields["firmware"]?.oneOf(DeviceModel.Firmware.self) ?? .uefi
        var secureBoot = firmware == .uefi
        if let value = fields["secureBoot"], let on = value.bool() {
            if on && firmware == .bios { value.error("Secure Boot is a UEFI feature: this model's firmware is bios (set firmware: uefi)") }
            secureBoot = on && firmware == .uefi
        }
        guard let manufacturer, let product else { return nil }
        return DeviceModel(
            id: id, manufacturer: manufacturer, product: product,
            version: fields["version"].flatMap { SMBIOSText.read($0) },
            sku: fields["sku"].flatMap { SMBIOSText.read($0) },
            family: fields["family"].flatMap { SMBIOSText.read($0) },
            chassisType: chassis,
            boardManufacturer: board?["manufacturer"].flatMap { SMBIOSText.read($0) } ?? manufacturer,
            boardProduct: board?["product"].flatMap { SMBIOSText.read($0) } ?? product,
            bios: .init(vendor: bios?["vendor"].flatMap { SMBIOSText.read($0) } ?? manufacturer,
                        version: bios?["version"].flatMap { SMBIOSText.read($0) } ?? "1.0.0",
                        date: biosDate ?? "01/01/2026"),
            memoryMiB: fields["memory"].flatMap { size($0, in: .mib, 64...1_048_576, "memory must be between 64 MiB and 1 TiB") } ?? 512,
            vcpus: fields["vcpus"]?.int(in: 1...64) ?? 1,
            diskGiB: fields["disk"].flatMap { size($0, in: .gib, 1...65_536, "disk must be between 1 GiB and 64 TiB") } ?? 128,
            firmware: firmware, secureBoot: secureBoot,
            tpm: fields["tpm"]?.oneOf(DeviceModel.TPM.self) ?? .v2_0,
            winRE: fields["winre"]?.bool() ?? true)
    }

    /// A BIOS release date as SMBIOS writes it, `MM/DD/YYYY`.
    private static func biosDate(_ value: YAMLValue) -> String? {
        guard let text = value.string() else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
              let month = Int(parts[0]), let day = Int(parts[1]), Int(parts[2]) != nil, (1...12).contains(month), (1...31).contains(day)
        else {
            value.error("'\(text)' is not a BIOS date: SMBIOS writes MM/DD/YYYY, such as 03/15/2025")
            return nil
        }
        return text
    }

    /// A size counted in `unit` (the unit plain numbers are in), within `range` of that unit.
    private func size(_ value: YAMLValue, in unit: ByteUnit, _ range: ClosedRange<Int>, _ description: String) -> Int? {
        guard let bytes = value.bytes(defaultUnit: unit) else { return nil }
        let units = Int(Double(bytes) / unit.multiplier)
        guard range.contains(units) else {
            value.error(description)
            return nil
        }
        return units
    }
}

/// SMBIOS strings: printable ASCII, at most 64 characters.
enum SMBIOSText {
    static func read(_ value: YAMLValue) -> String? {
        guard let text = value.string() else { return nil }
        guard let problem = problem(text) else { return text }
        value.error(problem)
        return nil
    }

    static func problem(_ text: String) -> String? {
        if text.count > 64 { return "'\(text)' is longer than SMBIOS's 64 characters" }
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 || $0.value > 0x7E }) {
            return "'\(text)' holds U+\(String(bad.value, radix: 16, uppercase: true)); SMBIOS strings are printable ASCII"
        }
        return nil
    }
}
