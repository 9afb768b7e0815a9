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
        if let device {
            raw(#""device":"#)
            string(device)
            raw(",")
        }
        if let code = event.errorCode {
            raw(#""errorCode":"#)
            number(Int(code))
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

    mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A string with JSON's escapes, as `JSONEncoder` writes them: quote, backslash and control
    /// characters escaped (the common ones by letter), everything else as it is.
    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw(#"\""#)
            case UInt8(ascii: "\\"): raw(#"\\"#)
            case 0x08: raw(#"\b"#)
            case 0x0C: raw(#"\f"#)
            case 0x0A: raw(#"\n"#)
            case 0x0D: raw(#"\r"#)
            case 0x09: raw(#"\t"#)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                raw(#"\u00"#)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
