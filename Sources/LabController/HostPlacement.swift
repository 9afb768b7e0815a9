import Foundation
public import LabService
public import LabFiles
public import Libvirt

/// Where a lab's devices that name no host go: under `placement: capacity`, spread over the
/// lab's hosts by what libvirt's node info says each has (free memory, CPUs), once; the lab
/// folder's record (`lab.json`) keeps where each went, so a device stays on its host from run to
/// run and only devices new to the lab are placed. Under `first-host` they go to the first host.
public enum HostPlacement {
    /// What a host can take, as libvirt says.
    public struct Capacity: Sendable, Equatable {
        /// Memory free for new VMs, in MiB.
        public var freeMemoryMiB: Int
        public var cpus: Int

        public init(freeMemoryMiB: Int, cpus: Int) {
            self.freeMemoryMiB = freeMemoryMiB
            self.cpus = cpus
        }

        /// A host's capacity: its free memory (`virNodeGetFreeMemory`; a driver without it, such
        /// as the test driver, counts its whole memory) and CPUs (`virNodeGetInfo`).
        public static func of(_ connection: Connection) throws(LibvirtError) -> Capacity {
            let info = try connection.nodeInfo()
            let freeBytes: UInt64
            do {
                freeBytes = try connection.freeMemory()
            } catch where error.code == .noSupport {
                freeBytes = info.memoryKiB * 1024
            }
            return Capacity(freeMemoryMiB: Int(freeBytes / (1 << 20)), cpus: info.cpus)
        }
    }

    /// ``resolve(_:in:capacity:)`` reading each host's capacity through libvirt (the embedded
    /// host's is the test driver's).
    public static func resolve(_ labFile: LabFile, in directory: LabDirectory) throws -> LabFile {
        try resolve(labFile, in: directory) { host in try Capacity.of(HostReachability.connect(uri: host.uri)) }
    }

    /// The lab file with every device on a host: the recorded placement kept, devices new to it
    /// placed (by capacity, reading each host's through `capacity`, or on the first host), the
    /// record updated. `capacity` is asked only when a device is new under `placement: capacity`.
    public static func resolve(_ labFile: LabFile, in directory: LabDirectory,
                               capacity: (LabHost) throws -> Capacity) throws -> LabFile {
        var record = try LabPlacement.load(from: directory, orNewFor: labFile)
        var placed = labFile.placing(record.devices ?? [:])
        let hostNames = Set(labFile.hosts.map(\.name))
        let new = placed.devices.filter { !$0.namesHost && record.devices?[$0.name].map(hostNames.contains) != true }
        if !new.isEmpty && labFile.placement == .capacity && labFile.hosts.count > 1 {
            var capacities: [String: Capacity] = [:]
            for host in labFile.hosts { capacities[host.name] = try capacity(host) }
            let chosen = spread(new, of: placed, over: capacities)
            placed = placed.placing(chosen)
        }
        // Every device's host goes into the record: a later change of policy moves nobody.
        let placement = Dictionary(uniqueKeysWithValues: placed.devices.map { ($0.name, placed.host(of: $0).name) })
        let hosts = Dictionary(placed.hosts.map { ($0.name, $0.uri) }, uniquingKeysWith: { first, _ in first })
        if record.devices != placement || record.hosts != hosts {
            record.devices = placement
            record.hosts = hosts
            try record.save(to: directory)
        }
        return placed
    }

    /// The hosts for `new` devices, one at a time, each to the host with the most memory left
    /// once the devices already on it are counted (their memory is taken whether they run or
    /// not); at equal memory, the one with the fewest virtual CPUs per CPU; then file order.
    static func spread(_ new: [LabDevice], of labFile: LabFile, over capacities: [String: Capacity]) -> [String: String] {
        let newNames = Set(new.map(\.name))
        var memory: [String: Int] = [:], vcpus: [String: Int] = [:]
        for device in labFile.devices where !newNames.contains(device.name) {
            let host = labFile.host(of: device).name, model = labFile.model(of: device)
            memory[host, default: 0] += model.memoryMiB
            vcpus[host, default: 0] += model.vcpus
        }
        var chosen: [String: String] = [:]
        for device in new {
            let model = labFile.model(of: device)
            let best = labFile.hosts.indices.max { a, b in
                let (left, right) = (labFile.hosts[a].name, labFile.hosts[b].name)
                let leftFree = (capacities[left]?.freeMemoryMiB ?? 0) - memory[left, default: 0]
                let rightFree = (capacities[right]?.freeMemoryMiB ?? 0) - memory[right, default: 0]
                if leftFree != rightFree { return leftFree < rightFree }
                let leftLoad = Double(vcpus[left, default: 0]) / Double(max(1, capacities[left]?.cpus ?? 1))
                let rightLoad = Double(vcpus[right, default: 0]) / Double(max(1, capacities[right]?.cpus ?? 1))
                if leftLoad != rightLoad { return leftLoad > rightLoad }
                return a > b  // the earlier host wins a tie
            }!
            let host = labFile.hosts[best].name
            chosen[device.name] = host
            memory[host, default: 0] += model.memoryMiB
            vcpus[host, default: 0] += model.vcpus
        }
        return chosen
    }
}
