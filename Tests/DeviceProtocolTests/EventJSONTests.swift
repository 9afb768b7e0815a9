import Foundation
import Testing
import DeviceProtocol

@Suite("device events written by hand")
struct EventJSONTests {
    /// Text with everything a string can hold: quotes, backslashes, slashes, control
    /// characters, accents, CJK, emoji.
    static let pieces = ["plain", "\"quoted\"", "back\\slash", "a/b", "tab\there", "line\nfeed", "\r", "\u{08}\u{0C}",
                         "\u{01}\u{1F}\u{7F}", "Zürich", "東京", "🙂", "", " ", "C:/Users/x/notes.docx", "0x800705B4"]

    /// Pieces JSON writes without an escape.
    static let plainPieces = ["plain", "a/b", "Zürich", "東京", "🙂", "", " ", "C:/Users/x/notes.docx", "0x800705B4"]

    func randomText(_ generator: inout SystemRandomNumberGenerator, plain: Bool = false) -> String {
        (0..<Int.random(in: 0...4, using: &generator))
            .map { _ in (plain ? Self.plainPieces : Self.pieces).randomElement(using: &generator)! }.joined()
    }

    func randomEvent(_ seq: Int, _ generator: inout SystemRandomNumberGenerator, plain: Bool = false) -> DeviceEvent {
        // Times in whole eighths of a second, which milliseconds hold exactly.
        DeviceEvent(seq: seq, time: Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &generator))
                                            + Double(Int.random(in: 0...7, using: &generator)) / 8),
                    phase: OOBEPhase.allCases.randomElement(using: &generator)!, step: randomText(&generator, plain: plain),
                    status: StepStatus.allCases.randomElement(using: &generator)!,
                    errorCode: Bool.random(using: &generator) ? UInt32.random(in: 0...UInt32.max, using: &generator) : nil,
                    message: Bool.random(using: &generator) ? randomText(&generator, plain: plain) : nil,
                    autopilotEvent: Int.random(in: 0..<4, using: &generator) == 0 ? [807, 815].randomElement(using: &generator) : nil,
                    deviceName: Int.random(in: 0..<4, using: &generator) == 0 ? randomText(&generator, plain: plain) : nil,
                    kept: Int.random(in: 0..<4, using: &generator) == 0 ? randomAspects(&generator) : nil,
                    removed: Int.random(in: 0..<4, using: &generator) == 0 ? randomAspects(&generator) : nil)
    }

    /// Some aspects, in their order (as devices report them), sometimes none.
    func randomAspects(_ generator: inout SystemRandomNumberGenerator) -> [DeviceAspect] {
        DeviceAspect.allCases.filter { _ in Bool.random(using: &generator) }
    }

    @Test func aBatchIsTheBytesJSONEncoderWrites() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let batch = EventBatch(device: randomText(&generator),
                                   events: (1...Int.random(in: 1...6, using: &generator)).map { randomEvent($0, &generator) })
            let expected = try ProtocolJSON.encoder().encode(batch)
            #expect(EventJSON.encode(batch) == expected,
                    "round \(round): \(String(decoding: EventJSON.encode(batch), as: UTF8.self)) != \(String(decoding: expected, as: UTF8.self))")
            #expect(try ProtocolJSON.decoder().decode(EventBatch.self, from: EventJSON.encode(batch)) == batch)
        }
    }

    @Test func aBatchReadByHandIsWhatJSONDecoderReads() throws {
        var generator = SystemRandomNumberGenerator()
        var fast = 0
        for round in 0..<300 {
            // Half of them with text that needs no escape, as devices' events nearly always are.
            let plain = round.isMultiple(of: 2)
            let batch = EventBatch(device: randomText(&generator, plain: plain),
                                   events: (1...Int.random(in: 1...6, using: &generator)).map { randomEvent($0, &generator, plain: plain) })
            let data = EventJSON.encode(batch)
            if plain { #expect(EventJSON.decodeBatch(data) != nil) }
            if let read = EventJSON.decodeBatch(data) {
                #expect(read == (try ProtocolJSON.decoder().decode(EventBatch.self, from: data)))
                fast += 1
            } else {
                // Only text with an escape is left to JSONDecoder.
                #expect(String(decoding: data, as: UTF8.self).contains("\\"))
            }
        }
        #expect(fast >= 150)
    }

    @Test func documentsOfOtherShapesAreLeftToJSONDecoder() throws {
        let time = #""time":"2026-11-25T09:30:00.125Z""#
        let read = [
            #" { "events" : [ { "status":"completed", \#(time), "step":"a", "phase":"boot", "seq":1, "errorCode":null, "message":null } ] , "device":"d" } "#,
            #"{"device":"d","events":[]}"#,
            #"{"device":"d","events":[{"seq":12,\#(time),"phase":"esp-device-setup","step":"app:x","status":"failed","errorCode":2214592514,"message":"Zürich 🙂"}]}"#,
        ]
        for text in read {
            let data = Data(text.utf8)
            #expect(EventJSON.decodeBatch(data) != nil, "\(text)")
            #expect(EventJSON.decodeBatch(data) == (try ProtocolJSON.decoder().decode(EventBatch.self, from: data)))
        }
        let left = [
            #"{"device":"d","events":[{"seq":1,\#(time),"phase":"boot","step":"a","status":"completed","extra":1}]}"#,
            #"{"device":"d","device":"e","events":[]}"#,
            #"{"device":"d","events":[{"seq":1.0,\#(time),"phase":"boot","step":"a","status":"completed"}]}"#,
            #"{"device":"d","events":[{"seq":-1,\#(time),"phase":"boot","step":"a","status":"completed"}]}"#,
            #"{"device":"d","events":[{"seq":1,\#(time),"phase":"nowhere","step":"a","status":"completed"}]}"#,
            #"{"device":"d","events":[{"seq":1,"time":"yesterday","phase":"boot","step":"a","status":"completed"}]}"#,
            #"{"device":"d","events":[{"seq":1,\#(time),"phase":"boot","step":"a","status":"completed","errorCode":4294967296}]}"#,
            #"{"device":"d","events":[{"seq":1,\#(time),"phase":"boot","status":"completed"}]}"#,
            #"{"device":"d\u0041","events":[]}"#,
            #"{"device":"d","events":[]} trailing"#,
            #"{"device":"d","events":["#,
            #"{"device":5,"events":[]}"#,
            "",
        ]
        for text in left {
            #expect(EventJSON.decodeBatch(Data(text.utf8)) == nil, "\(text)")
        }
    }

    @Test func aStoredEventIsTheEventWithItsDeviceAndReceptionTime() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let event = randomEvent(Int.random(in: 1...100_000, using: &generator), &generator)
            let device = randomText(&generator)
            let received = Date(timeIntervalSince1970: 1_800_000_000.125)
            let line = EventJSON.encode(event, device: device, receivedAt: received)
            let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: Any])
            #expect(object["device"] as? String == device)
            #expect(object["receivedAt"] as? String == "2027-01-15T08:00:00.125Z")
            #expect(try ProtocolJSON.decoder().decode(DeviceEvent.self, from: line) == event)
        }
    }
}
