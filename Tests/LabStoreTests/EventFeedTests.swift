import Foundation
import Testing
import DeviceProtocol
import LabStore

@Suite("the lab store: the live event feed")
struct EventFeedTests {
    func event(_ seq: Int, _ step: String) -> DeviceEvent {
        DeviceEvent(seq: seq, time: Date(timeIntervalSince1970: 1_767_225_600 + Double(seq)), phase: .boot, step: step,
                    status: .completed)
    }

    @Test func followersGetCommittedEventsOfTheirDeviceInOrderOnce() async throws {
        let store = try store(devices: ["a", "b"])
        let onlyA = store.feed.subscribe(device: "a")
        let every = store.feed.subscribe()
        #expect(store.feed.isFollowed)
        _ = try store.appendEvents([event(1, "one"), event(2, "two")], of: "a", at: Date())
        _ = try store.appendEvents([event(1, "other")], of: "b", at: Date())
        // A retried batch is stored once, and published once.
        _ = try store.appendEvents([event(2, "two"), event(3, "three")], of: "a", at: Date())
        var received: [String] = []
        for await event in onlyA {
            received.append("\(event.device)/\(event.seq)/\(event.step)")
            if received.count == 3 { break }
        }
        #expect(received == ["a/1/one", "a/2/two", "a/3/three"])
        var all: [String] = []
        for await event in every {
            all.append("\(event.device)/\(event.seq)")
            if all.count == 4 { break }
        }
        #expect(all == ["a/1", "a/2", "b/1", "a/3"])
    }

    @Test func aRefusedBatchPublishesNothing() async throws {
        let store = try store(devices: ["a"])
        let stream = store.feed.subscribe(device: "a")
        #expect(throws: (any Error).self) { try store.appendEvents([event(1, "one"), event(3, "gap")], of: "a", at: Date()) }
        _ = try store.appendEvents([event(1, "after")], of: "a", at: Date())
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next()?.step == "after")
    }

    @Test func aFollowerThatStopsIsForgotten() async throws {
        let store = try store(devices: ["a"])
        do {
            let stream = store.feed.subscribe(device: "a")
            _ = try store.appendEvents([event(1, "one")], of: "a", at: Date())
            var iterator = stream.makeAsyncIterator()
            #expect(await iterator.next()?.step == "one")
        }
        #expect(!store.feed.isFollowed)
    }
}
