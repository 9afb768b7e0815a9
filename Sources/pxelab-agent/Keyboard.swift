import DeviceProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The guest's keyboards, read through evdev (`/dev/input/event*`): every key that goes down is
/// recorded with the keys already held, so Ctrl+Win+R sent by the controller through libvirt
/// arrives as that chord.
final class Keyboard: @unchecked Sendable {
    private let lock = NSLock()
    private var held: [UInt16] = []
    private var chords: [KeyChord] = []

    /// Starts a reader thread per input device; nil when the guest has none.
    static func open(folder: String = "/dev/input") -> Keyboard? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("event") }
        let descriptors = names.map { Glibc.open("\(folder)/\($0)", O_RDONLY) }.filter { $0 >= 0 }
        guard !descriptors.isEmpty else { return nil }
        let keyboard = Keyboard()
        for descriptor in descriptors {
            let thread = Thread { keyboard.read(descriptor) }
            thread.start()
        }
        return keyboard
    }

    /// The chords pressed since the last call.
    func drain() -> [KeyChord] {
        lock.lock()
        defer { lock.unlock() }
        let pressed = chords
        chords = []
        return pressed
    }

    /// `struct input_event` on 64-bit Linux: a timeval (16 bytes), type, code (2 bytes each) and
    /// value (4 bytes). Key events have type EV_KEY (1); value 1 is down, 0 up, 2 auto-repeat.
    private func read(_ descriptor: Int32) {
        let size = 24
        var buffer = [UInt8](repeating: 0, count: size * 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            for offset in stride(from: 0, to: count - size + 1, by: size) {
                let type = UInt16(buffer[offset + 16]) | UInt16(buffer[offset + 17]) << 8
                let code = UInt16(buffer[offset + 18]) | UInt16(buffer[offset + 19]) << 8
                let value = Int32(bitPattern: UInt32(buffer[offset + 20]) | UInt32(buffer[offset + 21]) << 8
                                  | UInt32(buffer[offset + 22]) << 16 | UInt32(buffer[offset + 23]) << 24)
                if type == 1 { key(code, down: value) }
            }
        }
    }

    private func key(_ code: UInt16, down value: Int32) {
        lock.lock()
        defer { lock.unlock() }
        switch value {
        case 1:
            held.append(code)
            chords.append(KeyChord(held))
        case 0:
            held.removeAll { $0 == code }
        default:
            break
        }
    }
}
