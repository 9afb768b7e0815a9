import Foundation
import Testing
@testable import LabRunner
import TestSupport

@Suite("a real VM's serial console: a guest kernel panic ends the operation")
struct GuestConsoleTests {
    let log = makeTemporaryDirectory("pxelab-console").appendingPathComponent("vm.log")

    func append(_ text: String) throws {
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let file = try FileHandle(forWritingTo: log)
        try file.seekToEnd()
        try file.write(contentsOf: Data(text.utf8))
        try file.close()
    }

    @Test func aPanicPrintedByAnEarlierBootIsNotThisOperations() throws {
        try append("[    0.064000] Kernel panic - not syncing: IO-APIC + timer doesn't work!\n")
        var console = GuestConsole(path: log.path)
        #expect(console.panicLine() == nil)
        try append("pxelab guest: 6.1.0\nserial 0F3VM0001\n")
        #expect(console.panicLine() == nil)
    }

    @Test func aPanicSplitAcrossWritesIsFoundWithItsLine() throws {
        var console = GuestConsole(path: log.path)
        #expect(console.panicLine() == nil, "no log yet: the VM has not started")
        try append("[    0.028000] ..MP-BIOS bug: 8254 timer not connected to IO-APIC\n[    0.064000] Kernel pan")
        #expect(console.panicLine() == nil)
        try append("ic - not syncing: IO-APIC + timer doesn't work!\n[    0.064000] CPU: 0 PID: 0\n")
        #expect(console.panicLine() == "[    0.064000] Kernel panic - not syncing: IO-APIC + timer doesn't work!")
    }

    @Test func aLogStartedAgainIsReadFromItsStart() throws {
        try append(String(repeating: "an earlier boot's line\n", count: 50))
        var console = GuestConsole(path: log.path)
        try Data("Kernel panic - not syncing: VFS: Unable to mount root fs\n".utf8).write(to: log)
        #expect(console.panicLine() == "Kernel panic - not syncing: VFS: Unable to mount root fs")
    }
}
