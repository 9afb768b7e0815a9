public import Foundation

/// Runs lifecycle flows on the lab's devices for the admin API (`POST
/// /api/v1/devices/{name}/flows/{flow}`), answering when the device has reached its new end state.
/// The controller that hosts the devices provides it; without one, flows can only be queued.
public protocol LabOperator: Sendable {
    /// Runs a flow (`reset`, `repurpose`, `recover`, `retire`, `snapshot`, `revert`, `break`,
    /// `power`, `deploy`) with its options and returns what happened, as JSON.
    func perform(flow: String, device: String, options: [String: String]) async throws -> [UInt8]
    /// What a running device's screen shows, as PNG.
    func screen(of device: String) async throws -> Data
}
