import Foundation
import LabStore

/// Lab device rows for store tests: one per name, serial `S-<name>`.
func deviceRecords(_ names: [String]) -> [LabDeviceRecord] {
    names.map { name in
        LabDeviceRecord(name: name, serial: "S-\(name)", mac: "52:54:00:00:00:01", uuid: "uuid-\(name)", manufacturer: "Contoso",
                        product: "Lab", model: "laptop", token: "t", updatedAt: Date())
    }
}

/// A store in memory holding these devices.
func store(devices names: [String]) throws -> LabStore {
    let store = try LabStore()
    try store.syncDevices(deviceRecords(names))
    return store
}
