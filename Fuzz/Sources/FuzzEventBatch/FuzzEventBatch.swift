// Fuzzes the event-batch reader the endpoint uses for every `POST /oobe/v1/events`
// (`EventJSON.decodeBatch`), against `JSONDecoder`, which it stands in for: a differential fuzzer.
// Anything the hand reader does not take (nil) goes to `JSONDecoder` in the endpoint, so nil is
// always allowed; a crash is a finding, and so is a batch the reader takes that:
// - `JSONDecoder` refuses, or reads differently;
// - does not survive being written by hand again (`EventJSON.encode`) and read back.
import Foundation
import DeviceProtocol
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventBatch(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(fuzzBytes(start, count))
    guard let batch = EventJSON.decodeBatch(data) else { return 0 }
    let reference: EventBatch
    do {
        reference = try ProtocolJSON.decoder().decode(EventBatch.self, from: data)
    } catch {
        fatalError("property violated: the hand reader took a batch JSONDecoder refuses: \(error)")
    }
    require(batch == reference, "the hand reader read \(batch), JSONDecoder \(reference)")
    let written = EventJSON.encode(batch)
    require(EventJSON.decodeBatch(written).map { $0.events.map(\.seq) } == batch.events.map(\.seq),
            "a batch written by hand does not read back")
    return 0
}
