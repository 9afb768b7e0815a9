import Foundation
import Testing
import TFTP

/// The server against real clients: curl, tftp-hpa's tftp (RFC 1350 only, netascii) and atftp
/// (options, RFC 7440 windows).
@Suite("real clients")
struct RealClientTests {
    /// A file to fetch and how curl asks for it.
    struct Shape: Sendable, CustomTestStringConvertible {
        let size: Int
        /// `--tftp-blksize`; nil for `--tftp-no-options` (RFC 1350's 512, no OACK).
        let blockSize: Int?
        var testDescription: String { "\(size) bytes, " + (blockSize.map { "blksize \($0)" } ?? "no options") }
    }

    /// An empty file is fetched without options: curl asks for `tsize` and then refuses an OACK
    /// that says 0 ("invalid tsize"), as it would from any server (atftp's test fetches one).
    @Test(.needs(.curl), arguments: [
        Shape(size: 1000, blockSize: 512), Shape(size: 3 * 1468, blockSize: 1468), Shape(size: 100_000, blockSize: 1468),
        Shape(size: 2048, blockSize: nil), Shape(size: 0, blockSize: nil), Shape(size: 70_000, blockSize: 8192),
    ])
    func curlFetchesFilesByteForByte(shape: Shape) async throws {
        let file = pattern(shape.size)
        var configuration = TFTPServer.Configuration()
        configuration.maximumBlockSize = 8192
        try await serving(["boot/file": file], configuration: configuration) { served in
            let options = shape.blockSize.map { ["--tftp-blksize", String($0)] } ?? ["--tftp-no-options"]
            let fetched = try await Self.curl(served, "boot/file", options)
            #expect(fetched.status == 0, "\(fetched.output)")
            #expect(fetched.bytes == file)
            let summary = try await served.summary()
            #expect(summary.outcome == .completed)
            #expect(summary.blockSize == shape.blockSize ?? 512)
        }
    }

    @Test(.needs(.curl)) func curlIsToldTheSizeAndTheBlockSizeTheServerAllows() async throws {
        let file = pattern(100_000)
        try await serving(["f": file]) { served in
            let fetched = try await Self.curl(served, "f", ["-v", "--tftp-blksize", "65464"])
            #expect(fetched.status == 0)
            #expect(fetched.bytes == file)
            #expect(fetched.output.contains("tsize parsed from OACK (100000)"), "\(fetched.output)")
            #expect(fetched.output.contains("blksize parsed from OACK (1468) requested (65464)"), "\(fetched.output)")
        }
    }

    /// curl's exit codes: 68 is TFTP's "file not found", 69 its "access violation".
    @Test(.needs(.curl)) func curlIsRefusedUnknownFilesUploadsAndClimbingPaths() async throws {
        try await serving(["f": [1, 2, 3]]) { served in
            #expect(try await Self.curl(served, "nope", []).status == 68)
            // curl sends its request again when the answer is slow (a loaded machine): the same path.
            #expect(Set(served.requests.map(\.path)) == ["nope"])
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let upload = folder.appendingPathComponent("upload")
            try Data([1, 2, 3]).write(to: upload)
            #expect(try await Client.curl.run(["-sS", "-T", upload.path, "tftp://127.0.0.1:\(served.port)/f"]).status == 69)
            // curl removes `..` from a URL's path unless told not to.
            #expect(try await Self.curl(served, "../f", ["--path-as-is"]).status == 69)
            #expect(Set(served.requests.map(\.path)) == ["nope"], "the provider is not asked for an upload or a path with ..")
        }
    }

    /// 65,538 blocks of 512 bytes (33.5 MB): block numbers go 65535, 0, 1, 2 in lock-step, as
    /// GRUB would fetch a large initrd without `blksize`.
    @Test(.needs(.curl)) func curlFetchesAFileOfMoreThan65535BlocksAcrossTheWrap() async throws {
        let file = pattern(65537 * 512 + 100)
        try await serving(["initrd.img": file]) { served in
            let fetched = try await Self.curl(served, "initrd.img", ["--tftp-blksize", "512"])
            #expect(fetched.status == 0, "\(fetched.output)")
            #expect(fetched.bytes == file)
            #expect(try await served.summary().outcome == .completed)
        }
    }

    @Test(.needs(.tftpHPA)) func tftpHPAFetchesInOctetAndNetasciiAndIsToldWhatIsRefused() async throws {
        let binary = pattern(5000)
        // Lines, a bare CR and a CR LF: the client's conversion back gives the same bytes.
        let text = Array("menuentry 'Install' {\n\tlinux /vmlinuz\r\n}\rend\n".utf8)
        try await serving(["grub/grubx64.efi": binary, "grub/grub.cfg": text]) { served in
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            func get(_ mode: String, _ file: String) async throws -> (output: String, bytes: [UInt8]?) {
                let local = folder.appendingPathComponent(UUID().uuidString)
                let run = try await Client.tftpHPA.run(["127.0.0.1", String(served.port), "-m", mode, "-c", "get", file, local.path])
                return (run.output, (try? Data(contentsOf: local)).map { Array($0) })
            }
            #expect(try await get("octet", "grub/grubx64.efi").bytes == binary)
            #expect(try await get("netascii", "grub/grub.cfg").bytes == text)
            #expect(try await get("octet", "grub/missing.cfg").output.contains("Error code 1: grub/missing.cfg: no such file here"))
            let upload = folder.appendingPathComponent("upload")
            try Data(text).write(to: upload)
            let put = try await Client.tftpHPA.run(["127.0.0.1", String(served.port), "-c", "put", upload.path, "uploaded"])
            #expect(put.output.contains("Error code 2: access violation"), "\(put.output)")
        }
    }

    @Test(.needs(.atftp)) func atftpNegotiatesBlockSizeSizeAndWindowAndIsToldAnEmptyFilesSize() async throws {
        let file = pattern(100_000)
        try await serving(["vmlinuz": file, "empty": []]) { served in
            let folder = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: folder) }
            let local = folder.appendingPathComponent("vmlinuz")
            let run = try await Client.atftp.run(["--trace", "--option", "blksize 1468", "--option", "tsize enable", "--option", "windowsize 4",
                                                  "-g", "-r", "vmlinuz", "-l", local.path, "127.0.0.1", String(served.port)])
            #expect(run.status == 0, "\(run.output)")
            #expect(Array(try Data(contentsOf: local)) == file)
            let oack = run.output.split(separator: "\n").first { $0.hasPrefix("received OACK") }.map(String.init) ?? run.output
            for option in ["blksize: 1468", "tsize: 100000", "windowsize: 4"] {
                #expect(oack.contains(option), "\(oack)")
            }
            let summary = try await served.summary()
            #expect(summary.windowSize == 4)
            #expect(summary.outcome == .completed)

            let empty = folder.appendingPathComponent("empty")
            let told = try await Client.atftp.run(["--trace", "--option", "tsize enable", "-g", "-r", "empty", "-l", empty.path,
                                                   "127.0.0.1", String(served.port)])
            #expect(told.output.contains("received OACK <tsize: 0,"), "\(told.output)")
            #expect(Array(try Data(contentsOf: empty)) == [])
            #expect(try await served.summary().outcome == .completed)

            let missing = try await Client.atftp.run(["-g", "-r", "initrd.img", "-l", folder.appendingPathComponent("x").path,
                                                      "127.0.0.1", String(served.port)])
            #expect(missing.status != 0)
            #expect(missing.output.contains("initrd.img: no such file here"), "\(missing.output)")
        }
    }

    /// Fetches `path` with curl; the bytes are nil when curl wrote no file.
    private static func curl(_ served: Served, _ path: String, _ options: [String]) async throws -> (status: Int32, output: String, bytes: [UInt8]?) {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let run = try await Client.curl.run(["-sS", "--max-time", "100", "-o", out.path] + options + ["tftp://127.0.0.1:\(served.port)/\(path)"])
        return (run.status, run.output, (try? Data(contentsOf: out)).map { Array($0) })
    }

    private static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tftp-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
