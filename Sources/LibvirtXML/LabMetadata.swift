public import DeviceIdentity

/// pxelab's `<metadata>` element in a domain: which lab and device the domain is.
///
/// It lets a restarted controller rediscover its devices from libvirt alone, and lets
/// `pxelab down` remove exactly one lab's domains.
public struct LabMetadata: Equatable, Sendable {
    /// The XML namespace of the element.
    public static let namespaceURI = "https://pxelab.dev/xmlns/device/1"
    /// The prefix written for the namespace.
    public static let prefix = "pxelab"
    /// The element's local name.
    public static let elementName = "device"

    /// The lab's name.
    public var lab: String
    /// The device's name in the lab (also the domain name).
    public var device: String
    /// The device's SMBIOS serial.
    public var serial: String
    /// The device model in the lab file.
    public var model: String?
    /// The Autopilot group tag the device is registered with.
    public var groupTag: String?
    /// The network-boot NIC's MAC.
    public var mac: MACAddress?

    public init(lab: String, device: String, serial: String, model: String? = nil, groupTag: String? = nil,
                mac: MACAddress? = nil) {
        self.lab = lab
        self.device = device
        self.serial = serial
        self.model = model
        self.groupTag = groupTag
        self.mac = mac
    }
}
