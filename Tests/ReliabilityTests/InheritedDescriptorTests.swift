import Foundation
import Testing
import TestSupport

/// A process the tests start (a tool, a daemon it starts, Chromium) gets none of the test
/// process's descriptors: SwiftNIO's listening sockets lack close-on-exec, and a child holding
/// one kept a port open after its test stopped the endpoint (seen as "Address already in use").
@Suite("children of the tests inherit no sockets")
struct InheritedDescriptorTests {
    @Test func aToolDoesNotInheritASocketWithoutCloseOnExec() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { Glibc.close(socket) }
        #expect(fcntl(socket, F_GETFD) & FD_CLOEXEC == 0)
        #expect(try runTool("/bin/sh", ["-c", "test -e /proc/self/fd/1"]) == 0)
        #expect(try runTool("/bin/sh", ["-c", "test ! -e /proc/self/fd/\(socket)"]) == 0)
    }
}
