import Foundation
import Testing
import DeviceIdentity

@Suite("SHA-256")
struct SHA256Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func fipsVectors() {
        #expect(hex(SHA256.hash("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash(Array(repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalEqualsOneShot() {
        var hasher = SHA256()
        hasher.update(Array("hello ".utf8))
        hasher.update(Array("world".utf8))
        #expect(hasher.finalize() == SHA256.hash("hello world"))
    }

    @Test func piecesOfAnySizeAndAnySequenceGiveTheSameDigest() {
        let message = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = SHA256.hash(message)
        for size in [1, 7, 55, 56, 63, 64, 65, 130, 999] {
            var hasher = SHA256()
            var start = 0
            while start < message.count {
                let end = min(start + size, message.count)
                hasher.update(message[start..<end])
                start = end
            }
            #expect(hasher.finalize() == whole, "pieces of \(size) bytes")
        }
        // A sequence without contiguous storage goes through the buffer.
        #expect(SHA256.hash(message.lazy.map { $0 }) == whole)
    }
}

@Suite("MAC addresses")
struct MACAddressTests {
    @Test func parsesTheFormsInUse() {
        let expected = MACAddress(bytes: [0x52, 0x54, 0x00, 0xAB, 0x01, 0xFF])
        #expect(MACAddress("52:54:00:ab:01:ff") == expected)
        #expect(MACAddress("52-54-00-AB-01-FF") == expected)
        #expect(MACAddress("525400AB01FF") == expected)
        #expect(expected?.description == "52:54:00:ab:01:ff")
        #expect(expected?.hasQEMUPrefix == true)
    }

    @Test func rejectsMalformed() {
        for bad in ["", "52:54:00:ab:01", "52:54:00:ab:01:zz", "52:54:00:ab:01:ff:00", "52:54:00-ab:01:ff"] {
            #expect(MACAddress(bad) == nil, "\(bad)")
        }
        #expect(MACAddress("01:00:5e:00:00:01")?.isMulticast == true)
    }
}

@Suite("placeholder serials")
struct PlaceholderSerialTests {
    @Test func knownPlaceholdersAreDetected() {
        for serial in ["Default string", "default STRING", "To be filled by O.E.M.", "System Serial Number", "0",
                       "0000000", "", "   ", " None "] {
            #expect(PlaceholderSerial.isPlaceholder(serial), "\(serial)")
        }
    }

    @Test func realSerialsAreNot() {
        for serial in ["0F300001263", "CTS-0001", "PF3ABCDE", "10", "5CG1234XYZ"] {
            #expect(!PlaceholderSerial.isPlaceholder(serial), "\(serial)")
        }
    }
}

@Suite("identifier allocation")
struct IdentifierAllocatorTests {
    @Test func deterministicPerLabAndDevice() {
        var first = IdentifierAllocator(lab: "demo")
        var second = IdentifierAllocator(lab: "demo")
        var otherLab = IdentifierAllocator(lab: "other")
        let (mac1, mac2) = (first.mac(for: "sales-01"), second.mac(for: "sales-01"))
        let (uuid1, uuid2, uuid3) = (first.uuid(for: "sales-01"), second.uuid(for: "sales-01"), otherLab.uuid(for: "sales-01"))
        #expect(mac1 == mac2)
        #expect(uuid1 == uuid2)
        #expect(uuid1 != uuid3)
        #expect(first.boardSerial(for: "sales-01") == second.boardSerial(for: "sales-01"))
        #expect(IdentifierAllocator.stableUUID("group", "demo", "A") != IdentifierAllocator.stableUUID("group", "demo", "B"))
    }

    @Test func uniqueAcrossALargeFleet() {
        var allocator = IdentifierAllocator(lab: "fleet")
        // 20,000 devices share 2^24 MAC suffixes: collisions happen and must be resolved.
        let macs = (0..<20_000).map { allocator.mac(for: "device-\($0)") }
        let uuids = (0..<20_000).map { allocator.uuid(for: "device-\($0)") }
        #expect(Set(macs).count == macs.count)
        #expect(Set(uuids).count == uuids.count)
        #expect(macs.allSatisfy { $0.hasQEMUPrefix && !$0.isMulticast })
        // RFC 9562 version 8, variant 10.
        #expect(uuids.allSatisfy { $0.uuid.6 >> 4 == 8 && $0.uuid.8 >> 6 == 2 })
    }

    @Test func reservedValuesAreNeverDerived() {
        var probe = IdentifierAllocator(lab: "lab")
        let wouldGet = probe.mac(for: "b")
        var allocator = IdentifierAllocator(lab: "lab")
        let firstReservation = allocator.reserve(wouldGet)
        let secondReservation = allocator.reserve(wouldGet)
        let derived = allocator.mac(for: "b")
        #expect(firstReservation)
        #expect(!secondReservation)
        #expect(derived != wouldGet)
    }
}
