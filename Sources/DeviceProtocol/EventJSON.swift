public import Foundation

/// Device events written as JSON by hand: the same bytes as ``ProtocolJSON/encoder()`` (keys
/// sorted, slashes unescaped, dates in ISO 8601 with milliseconds), at a fraction of the cost.
/// Every device posts its events in batches and a run's event log holds every event of the run,
/// so these are the protocol's hottest documents; `JSONEncoder` builds a tree of boxed values and
/// sorts each object's keys for every one of them.
public enum EventJSON {
    /// An event batch, as a device posts it.
    public static func encode(_ batch: EventBatch) -> Data {
        var json = JSONBytes()
        json.raw(#"{"device":"#)
        json.string(batch.device)
        json.raw(#","events":["#)
        for (index, event) in batch.events.enumerated() {
            if index > 0 { json.raw(",") }
            json.event(event, device: nil, receivedAt: nil)
        }
        json.raw("]}")
        return Data(json.bytes)
    }

    /// A stored event (a line of a run's event log): the event with its device and the time the
    /// endpoint received it.
    public static func encode(_ event: DeviceEvent, device: String, receivedAt: Date) -> Data {
        var json = JSONBytes()
        json.event(event, device: device, receivedAt: receivedAt)
        return Data(json.bytes)
    }
}

/// JSON text being written, as UTF-8 bytes.
struct JSONBytes {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(256) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// An event's fields in sorted key order, with `device` and `receivedAt` when given.
    mutating func event(_ event: DeviceEvent, device: String?, receivedAt: Date?) {
        raw("{")
        if let id = event.autopilotEvent {
            raw(#""autopilotEvent":"#)
            number(id)
            raw(",")
        }
        if let device {
            raw(#""device":"#)
            string(device)
            raw(",")
        }
        if let name = event.deviceName {
            raw(#""deviceName":"#)
            string(name)
            raw(",")
        }
        if let code = event.errorCode {
            raw(#""errorCode":"#)
            number(Int(code))
            raw(",")
        }
        if let kept = event.kept {
            raw(#""kept":"#)
            aspects(kept)
            raw(",")
        }
        if let message = event.message {
            raw(#""message":"#)
            string(message)
            raw(",")
        }
        raw(#""phase":"#)
        string(event.phase.rawValue)
        if let receivedAt {
            raw(#","receivedAt":"#)
            string(ISO8601.format(receivedAt))
        }
        if let removed = event.removed {
            raw(#","removed":"#)
            aspects(removed)
        }
        raw(#","seq":"#)
        number(event.seq)
        raw(#","status":"#)
        string(event.status.rawValue)
        raw(#","step":"#)
        string(event.step)
        raw(#","time":"#)
        string(ISO8601.format(event.time))
        raw("}")
    }

    mutating func aspects(_ list: [DeviceAspect]) {
        raw("[")
        for (index, aspect) in list.enumerated() {
            if index > 0 { raw(",") }
            string(aspect.rawValue)
        }
        raw("]")
    }

    mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A string with JSON's escapes, as `JSONEncoder` writes them: quote, backslash and control
    /// characters escaped (the common ones by letter), everything else as it is.
    mutating func string(_ text: String) {
        JSONText.string(text, into: &bytes)
    }
}

extension EventJSON {
    /// Reads an event batch the way devices write it, without `JSONDecoder`: nil for anything
    /// else (an escape in a string, an unknown or repeated key, a value of another type, a
    /// phase, status or time that does not read), so that the caller decodes it the slow way and
    /// gets `JSONDecoder`'s precise error, or its answer for a document this reader does not take.
    public static func decodeBatch(_ data: Data) -> EventBatch? {
        data.withUnsafeBytes { raw in
            var reader = JSONReader(raw.bindMemory(to: UInt8.self))
            guard let batch = reader.batch(), reader.atEnd() else { return nil }
            return batch
        }
    }
}

/// A reader of the one shape an event batch has.
struct JSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func batch() -> EventBatch? {
        var device: String?
        var events: [DeviceEvent]?
        let complete = object { key, reader in
            switch key {
            case "device" where device == nil:
                device = reader.string()
                return device != nil
            case "events" where events == nil:
                events = reader.events()
                return events != nil
            default:
                return false
            }
        }
        guard complete, let device, let events else { return nil }
        return EventBatch(device: device, events: events)
    }

    /// Nothing but white space is left.
    mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }

    private mutating func events() -> [DeviceEvent]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var events: [DeviceEvent] = []
        if take(UInt8(ascii: "]")) { return events }
        repeat {
            guard let event = event() else { return nil }
            events.append(event)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? events : nil
    }

    private mutating func event() -> DeviceEvent? {
        var seq: Int?, time: Date?, phase: OOBEPhase?, step: String?, status: StepStatus?
        var errorCode: UInt32??, message: String??, autopilotEvent: Int??, deviceName: String??
        var kept: [DeviceAspect]??, removed: [DeviceAspect]??
        let complete = object { key, reader in
            switch key {
            case "seq" where seq == nil:
                seq = reader.integer()
                return seq != nil
            case "time" where time == nil:
                time = reader.string().flatMap(ISO8601.parse)
                return time != nil
            case "phase" where phase == nil:
                phase = reader.string().flatMap(OOBEPhase.init(rawValue:))
                return phase != nil
            case "step" where step == nil:
                step = reader.string()
                return step != nil
            case "status" where status == nil:
                status = reader.string().flatMap(StepStatus.init(rawValue:))
                return status != nil
            case "errorCode" where errorCode == nil:
                errorCode = reader.null() ? .some(nil) : reader.integer().flatMap(UInt32.init(exactly:)).map { $0 }
                return errorCode != nil
            case "message" where message == nil:
                message = reader.null() ? .some(nil) : reader.string().map { $0 }
                return message != nil
            case "autopilotEvent" where autopilotEvent == nil:
                autopilotEvent = reader.null() ? .some(nil) : reader.integer().map { $0 }
                return autopilotEvent != nil
            case "deviceName" where deviceName == nil:
                deviceName = reader.null() ? .some(nil) : reader.string().map { $0 }
                return deviceName != nil
            case "kept" where kept == nil:
                kept = reader.null() ? .some(nil) : reader.aspects().map { $0 }
                return kept != nil
            case "removed" where removed == nil:
                removed = reader.null() ? .some(nil) : reader.aspects().map { $0 }
                return removed != nil
            default:
                return false
            }
        }
        guard complete, let seq, let time, let phase, let step, let status else { return nil }
        return DeviceEvent(seq: seq, time: time, phase: phase, step: step, status: status,
                           errorCode: errorCode ?? nil, message: message ?? nil, autopilotEvent: autopilotEvent ?? nil,
                           deviceName: deviceName ?? nil, kept: kept ?? nil, removed: removed ?? nil)
    }

    /// `["wifi", "join"]`: a list of aspects by name.
    private mutating func aspects() -> [DeviceAspect]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var aspects: [DeviceAspect] = []
        if take(UInt8(ascii: "]")) { return aspects }
        repeat {
            guard let aspect = string().flatMap(DeviceAspect.init(rawValue:)) else { return nil }
            aspects.append(aspect)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? aspects : nil
    }

    /// `{ "key": value, ... }`, each value read by `member` (false: not this reader's document).
    private mutating func object(_ member: (String, inout JSONReader) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), member(key, &self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// A string without escapes (one with any is left to `JSONDecoder`).
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            case UInt8(ascii: "\\"), 0..<0x20: return nil
            default: index += 1
            }
        }
        return nil
    }

    /// A whole number without sign, fraction or exponent beyond what `Int` holds.
    private mutating func integer() -> Int? {
        skipSpace()
        var value = 0
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        guard index > start, index - start == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
        return value
    }

    private mutating func null() -> Bool {
        skipSpace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
              bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") else { return false }
        index += 4
        return true
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains(bytes[index]) {
            index += 1
        }
    }
}
