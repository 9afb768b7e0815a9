import Foundation
import Testing
import TestSupport

@Suite("assets: traversal refused, ranges and ETags")
struct AssetTests {
    /// An images folder with the boot templates, a build folder, a file and a symlink out.
    func images() throws -> URL {
        let root = makeTemporaryDirectory("pxelab-images")
        for loader in ["ipxe", "grub"] {
            try FileManager.default.copyItem(at: repositoryImages.appendingPathComponent(loader), to: root.appendingPathComponent(loader))
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("build"), withIntermediateDirectories: true)
        try Data((0..<100).map { UInt8($0) }).write(to: root.appendingPathComponent("build/vmlinuz"))
        let outside = makeTemporaryDirectory("pxelab-outside").appendingPathComponent("secret.txt")
        try Data("secret".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("escape.txt"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("inside.ipxe"),
                                                   withDestinationURL: root.appendingPathComponent("ipxe/boot.ipxe"))
        return root
    }

    @Test func pathsCannotLeaveTheAssetFolders() async throws {
        let running = try await RunningEndpoint.start(images: try images())
        defer { Task { try await running.stop() } }
        let client = running.client
        #expect(try await client.get("/assets/ipxe/boot.ipxe").status == 200)
        #expect(try await client.get("/assets/inside.ipxe").status == 200)  // a link that stays inside is fine
        for path in ["/assets/../Package.swift", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/ipxe/%2E%2E/%2E%2E/etc/passwd",
                     "/assets//etc/passwd", "/assets/%2Fetc%2Fpasswd", "/assets/escape.txt", "/assets/ipxe/..%2f..%2fetc",
                     "/assets/build/%00"] {
            let reply = try await client.get(path)
            #expect([403, 404].contains(reply.status), "\(path) -> \(reply.status)")
            #expect(!reply.text.contains("secret") && !reply.text.contains("root:"), "\(path)")
        }
        #expect(try await client.get("/assets/escape.txt").errorCode == "forbidden-path")
        #expect(try await client.get("/assets/nothing-here").status == 404)
    }

    @Test func rangesAndConditionalRequests() async throws {
        let running = try await RunningEndpoint.start(images: try images())
        defer { Task { try await running.stop() } }
        let client = running.client
        let whole = try await client.get("/assets/build/vmlinuz")
        #expect(whole.status == 200)
        #expect(whole.body == Data((0..<100).map { UInt8($0) }))
        #expect(whole.header("accept-ranges") == "bytes")
        let etag = try #require(whole.header("etag"))

        let part = try await client.get("/assets/build/vmlinuz", headers: ["Range": "bytes=10-19"])
        #expect(part.status == 206)
        #expect(part.body == Data((10..<20).map { UInt8($0) }))
        #expect(part.header("content-range") == "bytes 10-19/100")

        let suffix = try await client.get("/assets/build/vmlinuz", headers: ["Range": "bytes=-5"])
        #expect(suffix.body == Data((95..<100).map { UInt8($0) }))
        let open = try await client.get("/assets/build/vmlinuz", headers: ["Range": "bytes=98-"])
        #expect(open.body == Data([98, 99]))

        let beyond = try await client.get("/assets/build/vmlinuz", headers: ["Range": "bytes=200-300"])
        #expect(beyond.status == 416)
        #expect(beyond.header("content-range") == "bytes */100")

        let cached = try await client.get("/assets/build/vmlinuz", headers: ["If-None-Match": etag])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        #expect(try await client.get("/assets/build/vmlinuz", headers: ["If-None-Match": "\"other\""]).status == 200)

        let head = try await client.request(.HEAD, "/assets/build/vmlinuz")
        #expect(head.status == 200)
        #expect(head.header("content-length") == "100")
    }
}
