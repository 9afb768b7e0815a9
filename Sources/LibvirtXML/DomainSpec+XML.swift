import Foundation
import LibXML
import DeviceIdentity

extension DomainSpec {
    /// The `<domain>` document libvirt's `virDomainDefineXML` takes, built with libxml2.
    public func xml() -> String {
        let document = XMLDocument(root: "domain")
        let domain = document.root
        domain.setAttribute("type", type.rawValue)
        domain.append("name", text: name)
        if let uuid { domain.append("uuid", text: uuid.uuidString.lowercased()) }
        if let title { domain.append("title", text: title) }
        if let labMetadata { labMetadata.write(into: domain.append("metadata")) }
        domain.append("memory", text: String(memoryKiB), attributes: ["unit": "KiB"])
        domain.append("vcpu", text: String(vcpus))
        if let sysinfo { sysinfo.write(into: domain.append("sysinfo", attributes: ["type": "smbios"])) }
        writeOS(into: domain.append("os"))
        if case .uefi(let uefi) = os.firmware, uefi.secureBoot {
            let features = domain.append("features")
            if acpi { features.append("acpi") }
            features.append("smm", attributes: ["state": "on"])
        } else if acpi {
            domain.append("features").append("acpi")
        }
        writeDevices(into: domain.append("devices"))
        if let networkBoot {
            let qemu = domain.declareNamespace(QEMUNetworkBoot.namespaceURI, prefix: "qemu")
            let commandLine = domain.append("commandline", namespace: qemu)
            for argument in networkBoot.arguments {
                commandLine.append("arg", attributes: ["value": argument], namespace: qemu)
            }
        }
        return document.serialized()
    }

    private func writeOS(into os: XMLElement) {
        let type = os.append("type", text: "hvm")
        if let arch = self.os.arch { type.setAttribute("arch", arch) }
        if let machine = self.os.machine { type.setAttribute("machine", machine) }
        for device in self.os.bootOrder { os.append("boot", attributes: ["dev": device.rawValue]) }
        if let mode = self.os.smbiosMode { os.append("smbios", attributes: ["mode": mode.rawValue]) }
        if case .uefi(let uefi) = self.os.firmware {
            os.append("loader", text: uefi.loader,
                      attributes: ["readonly": "yes", "secure": uefi.secureBoot ? "yes" : "no", "type": "pflash"])
            let nvram = os.append("nvram", text: uefi.variables)
            if let template = uefi.variablesTemplate { nvram.setAttribute("template", template) }
        }
    }

    private func writeDevices(into devices: XMLElement) {
        for disk in disks {
            let element = devices.append("disk", attributes: ["type": "file", "device": "disk"])
            element.append("driver", attributes: ["name": "qemu", "type": disk.format])
            element.append("source", attributes: ["file": disk.path])
            element.append("target", attributes: ["dev": disk.target, "bus": disk.bus])
        }
        for interface in interfaces {
            let element = devices.append("interface")
            switch interface.kind {
            case .user:
                element.setAttribute("type", "user")
            case .network(let network):
                element.setAttribute("type", "network")
                element.append("source", attributes: ["network": network])
            }
            if let mac = interface.mac { element.append("mac", attributes: ["address": mac.description]) }
            if let model = interface.model { element.append("model", attributes: ["type": model]) }
        }
        if let listen = vncListen {
            let graphics = devices.append("graphics", attributes: ["type": "vnc", "port": "-1", "autoport": "yes", "listen": listen])
            graphics.append("listen", attributes: ["type": "address", "address": listen])
            devices.append("video").append("model", attributes: ["type": "vga"])
        }
        if let tpm {
            devices.append("tpm", attributes: ["model": tpm.model])
                .append("backend", attributes: ["type": "emulator", "version": tpm.version])
        }
        switch serialConsole {
        case .file(let path):
            let serial = devices.append("serial", attributes: ["type": "file"])
            serial.append("source", attributes: ["path": path, "append": "on"])
            serial.append("target", attributes: ["port": "0"])
        case .pty:
            devices.append("serial", attributes: ["type": "pty"]).append("target", attributes: ["port": "0"])
        case nil:
            break
        }
    }
}

extension DomainSpec {
    /// Reads a `<domain>` document: one of ours, or the definition libvirt stored (elements this
    /// type does not model are ignored).
    ///
    /// - Parameter source: a label for error messages, such as the domain's name or a file name.
    /// - Throws: ``DomainXMLError`` naming the line and what is missing or wrong.
    public init(xml: String, source: String = "domain XML") throws(DomainXMLError) {
        let reader = DomainReader(source: source)
        let domain = try reader.parse(xml).root
        guard domain.name == "domain" else {
            throw reader.error(domain, "the root element is <\(domain.name)>, not <domain>")
        }
        guard let typeName = domain.attribute("type"), let type = HypervisorType(rawValue: typeName) else {
            throw reader.error(domain, "<domain type='\(domain.attribute("type") ?? "")'> is not one of "
                               + HypervisorType.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let name = try reader.requiredText(domain, "name")
        var uuid: UUID?
        if let uuidElement = domain.child(named: "uuid") {
            uuid = try reader.uuid(uuidElement)
        }
        guard let memory = domain.child(named: "memory") else { throw reader.error(domain, "<memory> is missing") }
        let vcpus = try domain.child(named: "vcpu").map { element throws(DomainXMLError) in
            try reader.integer(element)
        } ?? 1
        self.init(type: type, name: name, uuid: uuid, title: domain.child(named: "title")?.text,
                  memoryKiB: try reader.kibibytes(memory), vcpus: vcpus)
        if let sysinfo = domain.child(named: "sysinfo"), sysinfo.attribute("type") == "smbios" {
            self.sysinfo = SMBIOSSysinfo(reading: sysinfo)
        }
        if let os = domain.child(named: "os") { self.os = try reader.os(os) }
        acpi = domain.child(named: "features")?.child(named: "acpi") != nil
        if let devices = domain.child(named: "devices") { try readDevices(devices, reader) }
        if let commandLine = domain.child(named: "commandline", namespaceURI: QEMUNetworkBoot.namespaceURI) {
            let arguments = commandLine.children(named: "arg", namespaceURI: QEMUNetworkBoot.namespaceURI)
                .compactMap { $0.attribute("value") }
            networkBoot = QEMUNetworkBoot(arguments: arguments)
        }
        if let metadata = domain.child(named: "metadata"),
           let device = metadata.child(named: LabMetadata.elementName, namespaceURI: LabMetadata.namespaceURI) {
            labMetadata = try LabMetadata(reading: device, reader)
        }
    }

    private mutating func readDevices(_ devices: XMLElement, _ reader: DomainReader) throws(DomainXMLError) {
        for disk in devices.children(named: "disk")
        where disk.attribute("type") == "file" && (disk.attribute("device") ?? "disk") == "disk" {
            guard let path = disk.child(named: "source")?.attribute("file") else { continue }
            let target = disk.child(named: "target")
            disks.append(Disk(path: path, format: disk.child(named: "driver")?.attribute("type") ?? "raw",
                              target: target?.attribute("dev") ?? "", bus: target?.attribute("bus") ?? ""))
        }
        for interface in devices.children(named: "interface") {
            let kind: Interface.Kind
            switch interface.attribute("type") {
            case "user": kind = .user
            case "network": kind = .network(interface.child(named: "source")?.attribute("network") ?? "")
            default: continue
            }
            var mac: MACAddress?
            if let address = interface.child(named: "mac")?.attribute("address") {
                guard let parsed = MACAddress(address) else {
                    throw reader.error(interface, "<mac address='\(address)'> is not a MAC address")
                }
                mac = parsed
            }
            interfaces.append(Interface(kind: kind, mac: mac, model: interface.child(named: "model")?.attribute("type")))
        }
        if let graphics = devices.children(named: "graphics").first(where: { $0.attribute("type") == "vnc" }) {
            vncListen = graphics.attribute("listen") ?? graphics.child(named: "listen")?.attribute("address")
        }
        if let tpm = devices.children(named: "tpm").first(where: { $0.child(named: "backend")?.attribute("type") == "emulator" }) {
            self.tpm = TPM(model: tpm.attribute("model") ?? "tpm-tis", version: tpm.child(named: "backend")?.attribute("version") ?? "1.2")
        }
        if let serial = devices.child(named: "serial") {
            switch serial.attribute("type") {
            case "file": serialConsole = serial.child(named: "source")?.attribute("path").map(SerialConsole.file)
            case "pty": serialConsole = .pty
            default: serialConsole = nil
            }
        }
    }
}

/// A domain document that could not be read, with the line of the offending element.
public struct DomainXMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let source: String
    public let line: Int
    public let message: String

    public init(source: String, line: Int, message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    public var description: String { "\(source):\(line): \(message)" }
}

/// Typed reads of element values, with errors that name the element and line.
struct DomainReader {
    let source: String

    /// Parses a document, reporting libxml2's errors as ``DomainXMLError``s.
    func parse(_ xml: String) throws(DomainXMLError) -> XMLDocument {
        do {
            return try XMLDocument(parsing: xml, source: source)
        } catch {
            throw DomainXMLError(source: source, line: error.line, message: error.message)
        }
    }

    func error(_ element: XMLElement, _ message: String) -> DomainXMLError {
        DomainXMLError(source: source, line: element.line, message: message)
    }

    func requiredText(_ parent: XMLElement, _ name: String) throws(DomainXMLError) -> String {
        guard let text = parent.child(named: name, namespaceURI: parent.namespaceURI)?.text, !text.isEmpty else {
            throw error(parent, "<\(name)> is missing in <\(parent.name)>")
        }
        return text
    }

    func integer(_ element: XMLElement) throws(DomainXMLError) -> Int {
        guard let value = Int(element.text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw error(element, "<\(element.name)> holds '\(element.text)', not a whole number")
        }
        return value
    }

    func uuid(_ element: XMLElement) throws(DomainXMLError) -> UUID {
        guard let uuid = UUID(uuidString: element.text.trimmingCharacters(in: .whitespaces)) else {
            throw error(element, "<\(element.name)> holds '\(element.text)', not a UUID")
        }
        return uuid
    }

    /// A `<memory unit=...>` value in KiB; libvirt's units, KiB by default.
    func kibibytes(_ element: XMLElement) throws(DomainXMLError) -> Int {
        let value = try integer(element)
        let bytesPerUnit: Int
        switch element.attribute("unit") ?? "KiB" {
        case "b", "bytes": bytesPerUnit = 1
        case "KB": bytesPerUnit = 1_000
        case "k", "KiB": bytesPerUnit = 1 << 10
        case "MB": bytesPerUnit = 1_000_000
        case "M", "MiB": bytesPerUnit = 1 << 20
        case "GB": bytesPerUnit = 1_000_000_000
        case "G", "GiB": bytesPerUnit = 1 << 30
        case "TB": bytesPerUnit = 1_000_000_000_000
        case "T", "TiB": bytesPerUnit = 1 << 40
        case let unit: throw error(element, "<\(element.name) unit='\(unit)'> is not a unit libvirt knows")
        }
        return value * bytesPerUnit / 1024
    }

    func os(_ element: XMLElement) throws(DomainXMLError) -> DomainSpec.OS {
        let type = element.child(named: "type")
        var bootOrder: [DomainSpec.BootDevice] = []
        for boot in element.children(named: "boot") {
            guard let device = boot.attribute("dev").flatMap(DomainSpec.BootDevice.init(rawValue:)) else {
                throw error(boot, "<boot dev='\(boot.attribute("dev") ?? "")'> is not a boot device")
            }
            bootOrder.append(device)
        }
        let mode = element.child(named: "smbios")?.attribute("mode").flatMap(DomainSpec.SMBIOSMode.init(rawValue:))
        var firmware = DomainSpec.Firmware.bios
        if let loader = element.child(named: "loader"), (loader.attribute("type") ?? "pflash") == "pflash" {
            guard let nvram = element.child(named: "nvram"), !nvram.text.isEmpty else {
                throw error(loader, "a UEFI <loader> without the domain's <nvram> variable store")
            }
            firmware = .uefi(DomainSpec.UEFI(loader: loader.text, secureBoot: loader.attribute("secure") == "yes",
                                             variables: nvram.text, variablesTemplate: nvram.attribute("template")))
        }
        return DomainSpec.OS(arch: type?.attribute("arch"), machine: type?.attribute("machine"),
                             bootOrder: bootOrder, smbiosMode: mode, firmware: firmware)
    }
}
