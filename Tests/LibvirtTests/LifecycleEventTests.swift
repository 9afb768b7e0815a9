import Foundation
import Testing
import Libvirt
import TestSupport

@Suite("libvirt lifecycle events")
struct LifecycleEventTests {
    @Test func defineStartDestroyUndefineArriveInOrder() async throws {
        let connection = try Connection(uri: privateTestDriverURI())
        let events = try connection.lifecycleEvents()
        let domain = try connection.defineDomain(xml: testDomainXML(name: "ev"))
        try domain.start()
        try domain.destroy()
        try domain.undefine()

        let received = try await withDeadline {
            var kinds: [DomainLifecycleEvent.Kind] = []
            for await event in events where event.domainName == "ev" {
                kinds.append(event.kind)
                if kinds.count == 4 { break }
            }
            return kinds
        }
        #expect(received == [.defined(.added), .started(.booted), .stopped(.destroyed), .undefined])
    }

    @Test func eventsForOneDomainOnly() async throws {
        let connection = try Connection(uri: privateTestDriverURI())
        let watched = try connection.defineDomain(xml: testDomainXML(name: "watched"))
        let other = try connection.defineDomain(xml: testDomainXML(name: "other"))
        let events = try connection.lifecycleEvents(for: watched)
        try other.start()
        try watched.start()
        try watched.suspend()

        let received = try await withDeadline {
            var seen: [DomainLifecycleEvent] = []
            for await event in events {
                seen.append(event)
                if seen.count == 2 { break }
            }
            return seen
        }
        #expect(received.map(\.domainName) == ["watched", "watched"])
        #expect(received.map(\.kind) == [.started(.booted), .suspended])
        #expect(received[0].domainUUID == (try watched.uuid()))
    }

    @Test func everySubscriberReceivesTheEvent() async throws {
        let connection = try Connection(uri: privateTestDriverURI())
        let first = try connection.lifecycleEvents()
        let second = try connection.lifecycleEvents()
        _ = try connection.defineDomain(xml: testDomainXML(name: "both"))
        let names = try await withDeadline {
            var names: [String] = []
            for await event in first { names.append(event.domainName); break }
            for await event in second { names.append(event.domainName); break }
            return names
        }
        #expect(names == ["both", "both"])
    }
}
