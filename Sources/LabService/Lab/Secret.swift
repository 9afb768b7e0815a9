public import Foundation

/// Secrets the lab hands out: each device's token, the admin API's token and the Graph door's.
public enum Secret {
    /// 32 random bytes as hex.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }

    /// The secret kept in `file`: read from it, or made and written there (0600) when there is
    /// none. A file that cannot be read is an error (a new secret would lock its clients out); a
    /// `make` that throws leaves no file behind.
    public static func stored(at file: URL, make: () throws -> String = Secret.make) throws -> String {
        if FileManager.default.fileExists(atPath: file.path) {
            let existing: String
            do {
                existing = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw LabError.unreadable(file: file.path, problem: error.localizedDescription)
            }
            guard !existing.isEmpty else { throw LabError.unreadable(file: file.path, problem: "it is empty") }
            return existing
        }
        let secret = try make()
        guard FileManager.default.createFile(atPath: file.path, contents: Data((secret + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw LabError.unwritable(file: file.path, problem: "it cannot be created")
        }
        return secret
    }

    /// Constant-time comparison: the time taken does not reveal how much of a guess was right.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
