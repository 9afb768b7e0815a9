public import LabFiles

/// What the lab refuses to do, and why. Every front door shows these in its own way (an HTTP
/// status and code, a command's message, a scenario step's failed check); the words are here once.
public enum LabError: Error, CustomStringConvertible, Sendable {
    /// No device of the lab has this name or serial.
    case noDevice(String, lab: String)
    /// A command without `--lab` found no lab, or several, in the state folder.
    case labNotChosen(root: String, labs: [String])
    /// A file of the lab's state cannot be read.
    case unreadable(file: String, problem: String)
    /// A file of the lab's state cannot be written.
    case unwritable(file: String, problem: String)
    /// This machine lacks files the lab needs (firmware, a signed boot chain), and the packages that bring them.
    case missingOnHost(String)
    /// The controller cannot tell which of its addresses a libvirt host's VMs would reach it at.
    case bootAddressUnknown(host: String, machine: String, problem: String)
    /// A remote libvirt host did not accept a connection within the time limit.
    case hostUnreachable(uri: String, address: String, problem: String)
    /// The tenant has no registration with this serial.
    case noRegistration(serial: String)
    /// No profile has this id.
    case noProfile(id: String)
    /// No profile has this display name.
    case noProfileNamed(String)
    /// A profile's assignment names a group the tenant does not have.
    case unknownGroup(String)
    /// A group with this display name exists.
    case groupExists(String)
    /// A profile with this id or display name exists.
    case profileExists(String)
    /// A group tag that would break CSV import or the device's physical ids.
    case badGroupTag(String)
    /// A dynamic group's membership rule that does not parse, at a column.
    case badRule(String, column: Int)
    /// A group needs either a rule or members, not both and not neither.
    case groupMembershipUnclear
    /// Members added to or taken from a dynamic group, whose members come from its rule.
    case dynamicGroup(String)
    /// A device added to a group it is a member of already.
    case alreadyMember(serial: String, group: String)
    /// A profile that is not a valid deployment profile.
    case badProfile(LabFileError)
    /// Graph door settings (throttling, faults) that do not read.
    case badGraphSettings(LabFileError)
    /// The device has no snapshot with this name.
    case noSnapshot(device: String, name: String)
    /// Only a running device has a screen.
    case notRunning(device: String)
    /// Another operation is acting on the device.
    case deviceBusy(String)
    /// An upload of more identities than the service takes at once.
    case tooManyIdentities(Int, maximum: Int)
    /// A profile that is assigned cannot be deleted (Intune's rule).
    case profileAssigned(String)
    /// Only one profile may be assigned to All Devices.
    case allDevicesTaken(byProfile: String)
    /// A group a profile both targets and excludes.
    case groupIncludedAndExcluded(String)
    /// An Autopilot sync is running.
    case syncInProgress
    /// No Enrollment Status Page profile with this id.
    case noEnrollmentStatusPage(String)
    /// An Enrollment Status Page profile with this name or id exists.
    case enrollmentStatusPageExists(String)
    /// What is wrong with an Enrollment Status Page profile.
    case badEnrollmentStatusPage(String)
    /// The last Autopilot sync was less than 10 minutes ago.
    case syncTooSoon(retryAfter: Int)

    public var description: String {
        switch self {
        case .noDevice(let key, let lab): "no device named or with serial '\(key)' in lab '\(lab)'"
        case .labNotChosen(let root, let labs):
            labs.isEmpty ? "no lab in \(root); name one with --lab FILE"
                : "several labs in \(root) (\(labs.joined(separator: ", "))); name one with --lab FILE"
        case .unreadable(let file, let problem): "\(file) cannot be read: \(problem)"
        case .unwritable(let file, let problem): "\(file) cannot be written: \(problem)"
        case .missingOnHost(let problem): problem
        case .hostUnreachable(let uri, let address, let problem):
            "the libvirt host \(uri) (\(address)) cannot be reached: \(problem)"
        case .bootAddressUnknown(let host, let machine, let problem):
            "cannot find the address host '\(host)' (\(machine)) reaches this controller at: \(problem); "
                + "give it in the lab file (hosts: { \(host): { uri: ..., bootAddress: ADDRESS } })"
        case .noRegistration(let serial): "no registration with serial '\(serial)'"
        case .noProfile(let id): "no profile with id '\(id)'"
        case .noProfileNamed(let name): "no profile named '\(name)'"
        case .unknownGroup(let name): "no group named '\(name)'"
        case .groupExists(let name): "a group named '\(name)' exists"
        case .profileExists(let name): "a profile with the id or name of '\(name)' exists"
        case .badGroupTag(let problem): problem
        case .badRule(let problem, _): "rule \(problem)"
        case .groupMembershipUnclear: "a group has either a rule or members"
        case .dynamicGroup(let name): "group '\(name)' is dynamic: its members come from its membership rule"
        case .alreadyMember(let serial, let group): "\(serial) is a member of group '\(group)' already"
        case .badProfile(let error), .badGraphSettings(let error): error.description
        case .noSnapshot(let device, let name): "device \(device) has no snapshot '\(name)'"
        case .notRunning(let device): "\(device) is powered off: only a running device has a screen"
        case .deviceBusy(let device): "another operation is acting on \(device); try again once it is done"
        case .profileAssigned(let name): "profile '\(name)' is assigned; remove its assignments before deleting it"
        case .allDevicesTaken(let id): "Another Profile \(id) is already assigned to All Devices."
        case .groupIncludedAndExcluded(let name): "group '\(name)' cannot be both included in and excluded from a profile"
        case .syncInProgress: "a sync is in progress"
        case .noEnrollmentStatusPage(let id): "no Enrollment Status Page profile with id '\(id)'"
        case .enrollmentStatusPageExists(let name): "an Enrollment Status Page profile with the id or name of '\(name)' exists"
        case .badEnrollmentStatusPage(let problem): "Enrollment Status Page profile: \(problem)"
        case .syncTooSoon(let seconds): "the last sync was less than 10 minutes ago; try again in \(seconds) s"
        case .tooManyIdentities(let count, let maximum): "\(count) device identities in one upload; the service takes at most \(maximum)"
        }
    }
}
