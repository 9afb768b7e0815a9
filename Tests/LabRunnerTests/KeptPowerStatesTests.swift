import Testing
@testable import LabRunner

/// What ``KeptPowerStates`` keeps: a read only when nothing changed while it was under way, and
/// nothing while lifecycle events are not followed.
@Suite("power states kept between libvirt's lifecycle events")
struct KeptPowerStatesTests {
    @Test func aReadIsKeptUntilItsDomainChanges() {
        let states = KeptPowerStates()
        states.following(true)
        states.keep(true, of: "a", readAt: states.reading("a"))
        states.keep(false, of: "b", readAt: states.reading("b"))
        #expect(states.active("a") == true)
        #expect(states.active("b") == false)
        states.changed("a")
        #expect(states.active("a") == nil)
        #expect(states.active("b") == false)
        states.changedAll()
        #expect(states.active("b") == nil)
    }

    @Test func aReadOvertakenByAChangeIsNotKept() {
        let states = KeptPowerStates()
        states.following(true)
        let reading = states.reading("a")
        states.changed("a")  // the event came while libvirt answered the read
        states.keep(false, of: "a", readAt: reading)
        #expect(states.active("a") == nil)
        let before = states.reading("b")
        states.changedAll()  // the lab defined its domains meanwhile
        states.keep(true, of: "b", readAt: before)
        #expect(states.active("b") == nil)
    }

    @Test func nothingIsKeptWhileEventsAreNotFollowed() {
        let states = KeptPowerStates()
        states.keep(true, of: "a", readAt: states.reading("a"))
        #expect(states.active("a") == nil)
        states.following(true)
        states.keep(true, of: "a", readAt: states.reading("a"))
        let reading = states.reading("b")
        // The connection went away and came back: changes in between went unheard.
        states.following(false)
        #expect(states.active("a") == nil)
        states.following(true)
        #expect(states.active("a") == nil)
        states.keep(true, of: "b", readAt: reading)
        #expect(states.active("b") == nil)
    }
}
