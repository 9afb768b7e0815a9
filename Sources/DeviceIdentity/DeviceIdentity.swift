public import Foundation

/// The hardware identity a lab device presents: its SMBIOS tables (system, baseboard, chassis)
/// and its NIC's MAC address. This is what firmware, iPXE, the guest's `/sys/class/dmi/id` and
/// the Autopilot hardware hash all see.
public struct DeviceIdentity: Hashable, Sendable, Codable {
    /// SMBIOS type 1 serial number: the key Autopilot registers a device by.
    public var serial: String
    /// SMBIOS type 1 manufacturer.
    public var manufacturer: String
    /// SMBIOS type 1 product name (the "model" in Autopilot).
    public var product: String
    /// SMBIOS type 1 version.
    public var version: String?
    /// SMBIOS type 1 SKU number.
    public var sku: String?
    /// SMBIOS type 1 family.
    public var family: String?
    /// SMBIOS type 1 UUID (also the libvirt domain UUID).
    public var uuid: UUID
    /// The MAC address of the network-boot NIC.
    public var mac: MACAddress
    /// SMBIOS type 2.
    public var board: Board
    /// SMBIOS type 3.
    public var chassis: Chassis
    /// SMBIOS type 0; nil for an identity recorded before it was part of one.
    public var bios: BIOS?

    public init(serial: String, manufacturer: String, product: String, version: String? = nil, sku: String? = nil,
                family: String? = nil, uuid: UUID, mac: MACAddress, board: Board, chassis: Chassis, bios: BIOS? = nil) {
        self.serial = serial
        self.manufacturer = manufacturer
        self.product = product
        self.version = version
        self.sku = sku
        self.family = family
        self.uuid = uuid
        self.mac = mac
        self.board = board
        self.chassis = chassis
        self.bios = bios
    }

    /// SMBIOS type 0, the firmware: what `/sys/class/dmi/id/bios_*` and a BMC's `BiosVersion` show.
    public struct BIOS: Hashable, Sendable, Codable {
        public var vendor: String
        public var version: String
        /// The release date as SMBIOS has it, `MM/DD/YYYY`.
        public var date: String

        public init(vendor: String, version: String, date: String) {
            self.vendor = vendor
            self.version = version
            self.date = date
        }
    }

    /// SMBIOS type 2, the baseboard.
    public struct Board: Hashable, Sendable, Codable {
        public var manufacturer: String
        public var product: String
        public var version: String?
        public var serial: String

        public init(manufacturer: String, product: String, version: String? = nil, serial: String) {
            self.manufacturer = manufacturer
            self.product = product
            self.version = version
            self.serial = serial
        }
    }

    /// SMBIOS type 3, the enclosure.
    public struct Chassis: Hashable, Sendable, Codable {
        public var manufacturer: String
        public var serial: String
        public var assetTag: String?
        public var type: ChassisType

        public init(manufacturer: String, serial: String, assetTag: String? = nil, type: ChassisType) {
            self.manufacturer = manufacturer
            self.serial = serial
            self.assetTag = assetTag
            self.type = type
        }
    }
}

/// SMBIOS chassis types (DMTF DSP0134, table 17) that client devices report.
public enum ChassisType: Int, Hashable, Sendable, Codable, CaseIterable {
    case other = 1, desktop = 3, lowProfileDesktop = 4, miniTower = 6, tower = 7, portable = 8, laptop = 9
    case notebook = 10, handheld = 11, allInOne = 13, subNotebook = 14, tablet = 30, convertible = 31
    case detachable = 32, miniPC = 35, stickPC = 36

    /// The name used in lab files, such as `notebook` or `all-in-one`.
    public var name: String {
        switch self {
        case .other: "other"
        case .desktop: "desktop"
        case .lowProfileDesktop: "low-profile-desktop"
        case .miniTower: "mini-tower"
        case .tower: "tower"
        case .portable: "portable"
        case .laptop: "laptop"
        case .notebook: "notebook"
        case .handheld: "handheld"
        case .allInOne: "all-in-one"
        case .subNotebook: "sub-notebook"
        case .tablet: "tablet"
        case .convertible: "convertible"
        case .detachable: "detachable"
        case .miniPC: "mini-pc"
        case .stickPC: "stick-pc"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }
}
