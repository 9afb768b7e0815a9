import Foundation
import DeviceProtocol
import LabStore

/// The run's events as JSON lines in `.pxelab/<lab>/runs/<time>/events.jsonl`, written as they
/// are read.
final class EventLog {
    let file: URL
    private(set) var count = 0
    private let handle: FileHandle

    init(lab: Lab, started: Date) throws {
        let stamp = ISO8601.format(started).replacingOccurrences(of: ":", with: "")
        let folder = lab.directory.path("runs/\(stamp)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        file = folder.appendingPathComponent("events.jsonl")
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw LabError.unwritable(file: file.path, problem: "the event log cannot be created")
        }
        handle = try FileHandle(forWritingTo: file)
    }

    func append(_ events: [StoredEvent]) throws {
        var data = Data()
        for event in events {
            data.append(EventJSON.encode(event.event, device: event.device, receivedAt: event.receivedAt))
            data.append(0x0A)
        }
        try handle.write(contentsOf: data)
        count += events.count
    }

    func close() throws { try handle.close() }
}
