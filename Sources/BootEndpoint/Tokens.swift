import Foundation
import Hummingbird
import LabService

/// Bearer tokens: the lab's admin token (written owner-only to the lab folder on first start)
/// and each device's token (handed to it by its boot script). Compared in constant time; never
/// logged.
enum Tokens {
    /// The lab's admin token: read from the file, or created there (0600) on first start. A file
    /// that cannot be read is an error (a new token would lock its clients out).
    static func adminToken(at file: URL) throws -> String {
        if FileManager.default.fileExists(atPath: file.path) {
            let existing: String
            do {
                existing = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw EndpointSetupError("cannot read the admin token in \(file.path): \(error.localizedDescription)")
            }
            guard !existing.isEmpty else { throw EndpointSetupError("the admin token file \(file.path) is empty") }
            return existing
        }
        let token = Secret.make()
        guard FileManager.default.createFile(atPath: file.path, contents: Data((token + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw EndpointSetupError("cannot write the admin token to \(file.path)")
        }
        return token
    }

    /// The bearer token of a request, if it has one.
    static func bearer(of request: Request) -> String? {
        guard let value = request.headers[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    /// Constant-time comparison: the time taken does not reveal how much of a guess was right.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
