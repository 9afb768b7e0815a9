import LibXML
import DeviceIdentity

extension LabMetadata {
    /// Writes `<pxelab:device>` with its fields into a `<metadata>` element.
    func write(into metadata: XMLElement) {
        let namespace = metadata.declareNamespace(Self.namespaceURI, prefix: Self.prefix)
        writeFields(into: metadata.append(Self.elementName, namespace: namespace))
    }

    /// Writes the fields as children of the `<pxelab:device>` element.
    private func writeFields(into device: XMLElement) {
        device.append("lab", text: lab)
        device.append("id", text: self.device)
        device.append("serial", text: serial)
        if let model { device.append("model", text: model) }
        if let groupTag { device.append("groupTag", text: groupTag) }
        if let mac { device.append("mac", text: mac.description) }
    }

    /// The metadata as the standalone element `virDomainSetMetadata` takes.
    public func xml() -> String {
        let document = XMLDocument(root: Self.elementName, namespaceURI: Self.namespaceURI, prefix: Self.prefix)
        writeFields(into: document.root)
        return document.serialized()
    }

    init(reading device: XMLElement, _ reader: DomainReader) throws(DomainXMLError) {
        // Inside a domain the element is namespaced; virDomainGetMetadata returns it without one.
        func text(_ name: String) -> String? {
            device.child(named: name, namespaceURI: device.namespaceURI)?.text
        }
        guard let lab = text("lab"), let id = text("id"), let serial = text("serial") else {
            throw reader.error(device, "<pxelab:device> needs <pxelab:lab>, <pxelab:id> and <pxelab:serial>")
        }
        var mac: MACAddress?
        if let macText = text("mac") {
            guard let parsed = MACAddress(macText) else {
                throw reader.error(device, "<pxelab:mac> holds '\(macText)', not a MAC address")
            }
            mac = parsed
        }
        self.init(lab: lab, device: id, serial: serial, model: text("model"), groupTag: text("groupTag"), mac: mac)
    }
}

extension LabMetadata {
    /// Reads the standalone element `virDomainGetMetadata` returns (libvirt strips its namespace).
    public init(xml: String, source: String = "domain metadata") throws(DomainXMLError) {
        let reader = DomainReader(source: source)
        let root = try reader.parse(xml).root
        guard root.name == Self.elementName, root.namespaceURI == nil || root.namespaceURI == Self.namespaceURI else {
            throw DomainXMLError(source: source, line: root.line,
                                 message: "expected <\(Self.prefix):\(Self.elementName)> in \(Self.namespaceURI)")
        }
        try self.init(reading: root, reader)
    }
}
