import Foundation

/// The Redfish clients `scripts/install-clients.sh` installs (DMTF's validators, sushy), run
/// against a lab's Redfish service: each trusts the lab's CA (requests reads `REQUESTS_CA_BUNDLE`
/// over a session's own `verify`, so the variable names the lab's CA too).
public enum RedfishTools {
    static let venv = Prerequisite.clients.appendingPathComponent("redfish-venv")

    /// Runs a console script of the venv (`rf_protocol_validator`, ...) or its Python (`python`)
    /// and returns its exit status and everything it printed. Waited for on a thread of its own:
    /// the service it talks to, in this process, needs the cooperative pool's threads.
    public static func run(_ tool: String, _ arguments: [String], authority: URL?, in folder: URL,
                           environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let output = folder.appendingPathComponent("\(tool).out")
        var variables = environment
        if let authority {
            variables["REQUESTS_CA_BUNDLE"] = authority.path
            variables["CURL_CA_BUNDLE"] = authority.path
        }
        let path = venv.appendingPathComponent("bin/\(tool)").path
        let fixed = variables
        let status = try await onThreadOfItsOwn { try runTool(path, arguments, environment: fixed, output: output) }
        return (status, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// The counts of a validator's summary: `Summary - PASS: n, WARN: n, FAIL: n, NOT_TESTED: n`
    /// (the protocol validator) or the table `| PASS | WARN | FAIL | NOT TESTED |` with its row of
    /// numbers (the service validator and the use-case checkers). Nil when there is none.
    public static func summary(of output: String) -> (pass: Int, warn: Int, fail: Int)? {
        if let line = output.split(separator: "\n").last(where: { $0.hasPrefix("Summary - PASS:") }) {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            return numbers.count >= 3 ? (numbers[0], numbers[1], numbers[2]) : nil
        }
        let lines = output.split(separator: "\n").map(String.init)
        guard let header = lines.lastIndex(where: { $0.contains("PASS") && $0.contains("FAIL") && $0.hasPrefix("|") }),
              let row = lines[(header + 1)...].first(where: { $0.hasPrefix("|") }) else { return nil }
        let numbers = row.split(separator: "|").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return numbers.count >= 3 ? (numbers[0], numbers[1], numbers[2]) : nil
    }
}
