import Foundation
import Yams
import DeviceIdentity
import Autopilot
import DeviceProtocol

/// Reads the `fleet` section and expands it into devices with unique, deterministic identities.
struct FleetReader {
    let lab: String
    let models: [DeviceModel]
    let hosts: [LabHost]
    let log: DiagnosticLog

    static let fields = ["model", "count", "start", "name", "serial", "host", "groupTag", "assignedUser",
                         "purchaseOrder", "assetTag", "uuid", "mac", "smbios", "hardwareHash", "reproduce", "registered", "expect",
                         "preProvision", "onESPError"]
    static let smbiosFields = ["manufacturer", "product", "version", "sku", "family", "boardSerial", "chassisSerial", "biosVersion"]

    private static let unallocatedUUID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    private static let unallocatedMAC = MACAddress(bytes: [0, 0, 0, 0, 0, 0])!

    /// A device before derived identifiers are allocated.
    private struct Draft {
        var device: LabDevice
        var explicitMAC: MACAddress?
        var explicitUUID: UUID?
        var boardSerial: String?
        /// The fleet entry, its serial and its name, for diagnostics.
        var mark: Mark?
        var serialMark: Mark?
        var nameMark: Mark?
        var path: String
    }

    func read(_ value: YAMLValue) -> [LabDevice] {
        guard let entries = value.sequence() else { return [] }
        if entries.isEmpty { value.error("declare at least one fleet entry") }
        let drafts = entries.enumerated().flatMap { index, entry in expand(entry, index: index) }
        return allocate(drafts)
    }

    private func expand(_ value: YAMLValue, index: Int) -> [Draft] {
        guard let entry = value.mapping(allowing: Self.fields) else { return [] }
        let modelID = entry.required("model")?.string()
        let serialPattern = pattern(entry.required("serial"))
        guard let modelID, let serialPattern else { return [] }
        guard let model = models.first(where: { $0.id == modelID }) else {
            let hint = Spelling.closest(to: modelID, in: models.map(\.id)).map { " (did you mean '\($0)'?)" } ?? ""
            entry.error("model", "no model '\(modelID)' in `models`\(hint)")
            return []
        }
        var count = entry["count"]?.int(in: 1...100_000) ?? 1
        let start = entry["start"]?.int(in: 0...1_000_000_000) ?? 1
        let reproduces = Set(entry["reproduce"]?.sequence()?.compactMap { item in
            item.oneOf(FieldBug.self)
        } ?? [])

        let namePattern = entry["name"].map(pattern) ?? (try? NamePattern("{lab}-{model}-{seq:02}"))
        guard let namePattern else { return [] }
        let assetPattern = entry["assetTag"].map(pattern) ?? nil
        // Problems that would repeat for every device of the entry are reported once, and the
        // entry then yields one device, so they are not reported again as duplicates.
        if count > 1 && !serialPattern.usesSequence && !reproduces.contains(.duplicateSerial) {
            entry.error("serial", "all \(count) devices would share one serial; add {seq} (for example CTS-{seq:04})")
            count = 1
        }
        if count > 1 && !namePattern.usesSequence {
            entry.error(entry["name"] == nil ? "count" : "name", "all \(count) devices would share one name; add {seq}")
            count = 1
        }
        for single in ["uuid", "mac", "hardwareHash"] where count > 1 && entry[single] != nil {
            entry.error(single, "applies to one device only, but count is \(count)")
            count = 1
        }

        let hostName = entry["host"]?.string() ?? hosts[0].name
        if !hosts.contains(where: { $0.name == hostName }) {
            entry.error("host", "no host '\(hostName)' in `hosts` (declared: \(hosts.map(\.name).joined(separator: ", ")))")
        }
        let groupTag = entry["groupTag"].flatMap(readGroupTag)
        let assignedUser = entry["assignedUser"].flatMap(readUser)
        let purchaseOrder = entry["purchaseOrder"]?.nonEmptyString()
        let explicitUUID = entry["uuid"].flatMap(readUUID)
        let explicitMAC = entry["mac"].flatMap(readMAC)
        let hardwareHash = entry["hardwareHash"].flatMap(readHash)
        let registered = entry["registered"]?.bool() ?? true
        let expect = entry["expect"].flatMap { RunSettingsReader(log: log).expectation($0) }
        let preProvision = entry["preProvision"]?.bool()
        let onESPError = entry["onESPError"]?.oneOf(ESPButton.self)
        let overrides = entry["smbios"]?.mapping(allowing: Self.smbiosFields)
        if count > 1, let overrides {
            for single in ["boardSerial", "chassisSerial"] where overrides[single] != nil {
                overrides.error(single, "applies to one device only, but count is \(count)")
            }
        }
        func override(_ key: String) -> String? { overrides?[key].flatMap { SMBIOSText.read($0) } }

        return (0..<count).map { offset in
            let sequence = start + offset
            let serial = serialPattern.render(sequence: sequence, lab: lab, model: model.id)
            let name = namePattern.render(sequence: sequence, lab: lab, model: model.id)
            let identity = DeviceIdentity(
                serial: serial,
                manufacturer: override("manufacturer") ?? model.manufacturer,
                product: override("product") ?? model.product,
                version: override("version") ?? model.version,
                sku: override("sku") ?? model.sku,
                family: override("family") ?? model.family,
                uuid: explicitUUID ?? Self.unallocatedUUID,
                mac: explicitMAC ?? Self.unallocatedMAC,
                board: .init(manufacturer: model.boardManufacturer, product: model.boardProduct,
                             serial: override("boardSerial") ?? ""),
                chassis: .init(manufacturer: model.manufacturer, serial: override("chassisSerial") ?? serial,
                               assetTag: assetPattern?.render(sequence: sequence, lab: lab, model: model.id),
                               type: model.chassisType),
                bios: .init(vendor: model.bios.vendor, version: override("biosVersion") ?? model.bios.version, date: model.bios.date))
            let device = LabDevice(name: name, model: model.id, host: hostName, namesHost: entry["host"] != nil, identity: identity, groupTag: groupTag,
                                   assignedUser: assignedUser, purchaseOrder: purchaseOrder, reproduces: reproduces,
                                   hardwareHash: hardwareHash, registered: registered, expect: expect,
                                   preProvision: preProvision, onESPError: onESPError, fleetEntry: index)
            return Draft(device: device, explicitMAC: explicitMAC, explicitUUID: explicitUUID,
                         boardSerial: override("boardSerial"), mark: entry.mark,
                         serialMark: entry["serial"]?.mark, nameMark: entry["name"]?.mark ?? entry.mark,
                         path: value.path)
        }
    }

    /// Checks names and serials across the fleet, then gives every device its MAC, UUID and board
    /// serial: explicit values first, derived ones after, all unique.
    private func allocate(_ drafts: [Draft]) -> [LabDevice] {
        var allocator = IdentifierAllocator(lab: lab)
        var firstByName: [String: Draft] = [:]
        var firstBySerial: [String: Draft] = [:]
        for draft in drafts {
            let device = draft.device
            if let problem = DomainName.problem(device.name) {
                log.error(at: draft.nameMark, "\(draft.path).name", problem)
            }
            if let earlier = firstByName[device.name] {
                log.error(at: draft.nameMark, "\(draft.path).name",
                          "device name '\(device.name)' is also produced by \(earlier.path) (line \(earlier.mark?.line ?? 0)); set `name` or `start`")
            } else {
                firstByName[device.name] = draft
            }
            checkSerial(draft, firstBySerial: &firstBySerial)
            if let mac = draft.explicitMAC, !allocator.reserve(mac) {
                log.error(at: draft.mark, "\(draft.path).mac", "MAC \(mac) is given to another device too")
            }
            if let uuid = draft.explicitUUID, !allocator.reserve(uuid) {
                log.error(at: draft.mark, "\(draft.path).uuid", "UUID \(uuid.uuidString.lowercased()) is given to another device too")
            }
        }
        return drafts.map { draft in
            var device = draft.device
            if draft.explicitMAC == nil { device.identity.mac = allocator.mac(for: device.name) }
            if draft.explicitUUID == nil { device.identity.uuid = allocator.uuid(for: device.name) }
            if draft.boardSerial == nil { device.identity.board.serial = allocator.boardSerial(for: device.name) }
            return device
        }
    }

    private func checkSerial(_ draft: Draft, firstBySerial: inout [String: Draft]) {
        let device = draft.device
        let path = "\(draft.path).serial"
        if let problem = SMBIOSText.problem(device.identity.serial) {
            log.error(at: draft.serialMark, path, problem)
        }
        if PlaceholderSerial.isPlaceholder(device.identity.serial) && !device.reproduces.contains(.placeholderSerial) {
            log.error(at: draft.serialMark, path,
                      "'\(device.identity.serial)' is a placeholder serial that breaks Autopilot matching; "
                      + "add `reproduce: [placeholder-serial]` to reproduce that field bug on purpose")
        }
        guard let earlier = firstBySerial[device.identity.serial] else {
            firstBySerial[device.identity.serial] = draft
            return
        }
        let intended = device.reproduces.contains(.duplicateSerial) && earlier.device.reproduces.contains(.duplicateSerial)
        if !intended {
            log.error(at: draft.serialMark, path,
                      "serial '\(device.identity.serial)' of \(device.name) is also the serial of \(earlier.device.name) "
                      + "(\(earlier.path), line \(earlier.serialMark?.line ?? 0)); add `reproduce: [duplicate-serial]` to both to reproduce that on purpose")
        }
    }

    private func pattern(_ value: YAMLValue?) -> NamePattern? {
        guard let value, let text = value.nonEmptyString() else { return nil }
        do {
            return try NamePattern(text)
        } catch {
            value.error("'\(text)': \(error.message)")
            return nil
        }
    }

    private func readGroupTag(_ value: YAMLValue) -> String? {
        guard let tag = value.string() else { return nil }
        if let problem = GroupTag.problem(tag) { value.error(problem); return nil }
        return tag
    }

    private func readUser(_ value: YAMLValue) -> String? {
        guard let user = value.nonEmptyString() else { return nil }
        let parts = user.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !user.contains(" ") else {
            value.error("'\(user)' is not a user principal name (name@domain)")
            return nil
        }
        return user
    }

    private func readHash(_ value: YAMLValue) -> String? {
        guard let text = value.nonEmptyString() else { return nil }
        do {
            _ = try HardwareHash(base64: text)
            return Base64Padding.padded(text)
        } catch {
            value.error("not a valid hardware hash: \(error)")
            return nil
        }
    }

    private func readUUID(_ value: YAMLValue) -> UUID? {
        guard let text = value.string() else { return nil }
        guard let uuid = UUID(uuidString: text) else { value.error("'\(text)' is not a UUID"); return nil }
        return uuid
    }

    private func readMAC(_ value: YAMLValue) -> MACAddress? {
        guard let text = value.string() else { return nil }
        guard let mac = MACAddress(text) else { value.error("'\(text)' is not a MAC address"); return nil }
        if mac.isMulticast { value.error("\(mac) is a multicast address; a NIC needs a unicast one"); return nil }
        return mac
    }
}

/// libvirt domain names the lab accepts: safe as file names too.
enum DomainName {
    static func problem(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 64 else { return "device name '\(name)' must be 1 to 64 characters" }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._+-".contains($0)) }),
              name.first != "-", name.first != "." else {
            return "device name '\(name)' may use letters, digits, '.', '_', '+' and '-', not starting with '-' or '.'"
        }
        return nil
    }
}
