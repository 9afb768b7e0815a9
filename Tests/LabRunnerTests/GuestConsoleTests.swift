import Foundation
import Testing
@testable import LabRunner
import TestSupport

@Suite("a real VM's serial console: a guest kernel panic or a Secure Boot refusal ends the operation")
struct GuestConsoleTests {
    let log = makeTemporaryDirectory("pxelab-console").appendingPathComponent("vm.log")

    func append(_ text: String) throws {
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let file = try FileHandle(forWritingTo: log)
        try file.seekToEnd()
        try file.write(contentsOf: Data(text.utf8))
        try file.close()
    }

    @Test func aPanicPrintedByAnEarlierBootIsNotThisOperations() throws {
        try append("[    0.064000] Kernel panic - not syncing: IO-APIC + timer doesn't work!\n")
        var console = GuestConsole(path: log.path)
        #expect(console.stop() == nil)
        try append("pxelab guest: 6.1.0\nserial 0F3VM0001\n")
        #expect(console.stop() == nil)
    }

    @Test func aPanicSplitAcrossWritesIsFoundWithItsLine() throws {
        var console = GuestConsole(path: log.path)
        #expect(console.stop() == nil, "no log yet: the VM has not started")
        try append("[    0.028000] ..MP-BIOS bug: 8254 timer not connected to IO-APIC\n[    0.064000] Kernel pan")
        #expect(console.stop() == nil)
        try append("ic - not syncing: IO-APIC + timer doesn't work!\n[    0.064000] CPU: 0 PID: 0\n")
        #expect(console.stop() == .panic("[    0.064000] Kernel panic - not syncing: IO-APIC + timer doesn't work!"))
    }

    @Test func aLogStartedAgainIsReadFromItsStart() throws {
        try append(String(repeating: "an earlier boot's line\n", count: 50))
        var console = GuestConsole(path: log.path)
        try Data("Kernel panic - not syncing: VFS: Unable to mount root fs\n".utf8).write(to: log)
        #expect(console.stop() == .panic("Kernel panic - not syncing: VFS: Unable to mount root fs"))
    }

    @Test func secureBootRefusingUnsignedCodeIsFoundWithItsLine() throws {
        var console = GuestConsole(path: log.path)
        try append("pxelab: s1 -> Autopilot OOBE (factory, boot 1)\nerror: bad shim signature.\nerror: you need to load the kernel first.\n")
        #expect(console.stop() == .refusedUnsigned("error: bad shim signature."))
        try append("error: prohibited by secure boot policy.\n")
        #expect(console.stop() == .refusedUnsigned("error: prohibited by secure boot policy."))
    }
}
