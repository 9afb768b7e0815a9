import Foundation
import Testing
import Libvirt
import LabController
@testable import LabRunner
import TestSupport

/// A run's link to a libvirt host whose daemon dies (a second host in a network namespace, no VM):
/// an operation on it waits the link's grace and fails naming the host and why its connection
/// closed, while the link keeps trying; once the daemon is back, operations go through again on
/// a new connection. (`make soak`'s LostHostTests loses hosts under running VMs.)
@Suite("a libvirt host lost and back, through its link", .needs(.libvirtQEMU, .netnsHost))
struct HostLinkTests {
    @Test func anOperationFailsNamingTheHostThenGoesThroughOnceItsDaemonIsBack() async throws {
        try await withNetnsLibvirtHost(name: "pxl-link", index: 6) { remote in
            let link = HostLink(uri: remote.uri, connection: try HostReachability.connect(uri: remote.uri))
            // Each a call to the daemon (libvirt's client answers the driver's type itself).
            #expect(try await link.perform { try $0.nodeInfo().cpus } > 0)

            try await remote.killLibvirtd()
            do {
                let answered = try await link.perform { try $0.nodeInfo().cpus }
                Issue.record("a host without its daemon answered: \(answered)")
            } catch let lost as HostLost {
                #expect(lost.uri == remote.uri && !lost.linkClosed)
                #expect(lost.description.hasPrefix("the libvirt host \(remote.uri) is gone (its connection closed: "), "\(lost)")
            }

            try await remote.startLibvirtd()
            // The link's reconnecting task (backoff at most 5 s) finds the daemon within the grace.
            #expect(try await link.perform { try $0.nodeInfo().cpus } > 0)
            await link.close()
        }
    }
}
