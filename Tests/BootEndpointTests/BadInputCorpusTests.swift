import Foundation
import Testing
import NIOHTTP1
import Autopilot
import LabFiles
import TestSupport

/// Every input in `Tests/Corpus` (see its README) gets a precise error, nothing crashes, and
/// nothing of a refused request is applied.
@Suite("bad-input corpus")
struct BadInputCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Corpus").standardizedFileURL

    static func files(_ folder: String, _ suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(folder).path)) ?? [])
            .filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// `# key: value` lines at the top of a corpus file.
    static func directives(_ key: String, in text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("#") }
            .compactMap { line in line.hasPrefix("# \(key): ") ? String(line.dropFirst(key.count + 4)) : nil }
    }

    /// A tab-separated table of input and expected text (`#` lines are comments).
    static func table(_ name: String) -> [(String, String)] {
        let text = (try? String(contentsOf: corpus.appendingPathComponent(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let cells = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(cells[0]), cells.count > 1 ? String(cells[1]) : "")
        }
    }

    @Test func theCorpusIsThere() {
        #expect(Self.files("topologies", ".yaml").count >= 15)
        #expect(Self.files("csv", ".csv").count >= 14)
        #expect(Self.files("http", ".http").count >= 21)
        #expect(Self.table("rules.tsv").count >= 11)
    }

    @Test(arguments: files("topologies", ".yaml"))
    func labFile(_ name: String) throws {
        let path = Self.corpus.appendingPathComponent("topologies/\(name)").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = Self.directives("expect", in: text)
        #expect(!expected.isEmpty, "\(name) says nothing about its error")
        guard case .failure(let error) = Result(catching: { try LabFile.load(file: path) }) else {
            Issue.record("\(name) was accepted")
            return
        }
        let message = "\(error)"
        for part in expected { #expect(message.contains(part), "\(name): '\(part)' not in: \(message)") }
        if Self.directives("expect-position", in: text) != ["none"] {
            #expect(message.contains(try Regex("\(name):[0-9]+:[0-9]+: ")), "\(name): no line and column in: \(message)")
        }
    }

    @Test(arguments: table("csv/EXPECTED.tsv"))
    func csvFile(_ entry: (String, String)) throws {
        let (name, expected) = entry
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("csv/\(name)"))
        guard case .failure(let error) = Result(catching: { try AutopilotCSV.read(data, source: name) }) else {
            Issue.record("\(name) was accepted")
            return
        }
        #expect("\(error)".contains("\(name): line "), "\(name): no file and line in: \(error)")
        #expect("\(error)".contains(expected), "\(name): '\(expected)' not in: \(error)")
    }

    @Test(arguments: table("rules.tsv"))
    func membershipRule(_ entry: (String, String)) {
        let (rule, expected) = entry
        guard case .failure(let error) = Result(catching: { try MembershipRule(rule) }) else {
            Issue.record("'\(rule)' was accepted")
            return
        }
        #expect("\(error)".contains(expected), "'\(rule)': '\(expected)' not in: \(error)")
    }

    @Test(arguments: files("http", ".http"))
    func request(_ name: String) async throws {
        let text = try String(contentsOf: Self.corpus.appendingPathComponent("http/\(name)"), encoding: .utf8)
        let expect = try #require(Self.directives("expect", in: text).first, "\(name) says nothing about its answer")
            .split(separator: " ").map(String.init)
        try await withEndpoint { running in
            let substitute = { (line: String) -> String in
                var line = line.replacingOccurrences(of: "{{device-token}}", with: (try? running.token(of: "sales-1")) ?? "")
                    .replacingOccurrences(of: "{{admin-token}}", with: running.adminToken)
                if let range = line.range(of: #"\{\{pad:([0-9]+)\}\}"#, options: .regularExpression) {
                    let count = Int(line[range].dropFirst(6).dropLast(2)) ?? 0
                    line.replaceSubrange(range, with: String(repeating: "x", count: count))
                }
                return line
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("#") }.map(String.init)
            let requestLine = lines.first!.split(separator: " ")
            let blank = lines.firstIndex(of: "") ?? lines.count
            var headers: [String: String] = [:]
            for header in lines[1..<blank] {
                let parts = header.split(separator: ":", maxSplits: 1)
                headers[String(parts[0])] = substitute(String(parts[1]).trimmingCharacters(in: .whitespaces))
            }
            let body = blank < lines.count ? lines[(blank + 1)...].map(substitute).joined(separator: "\n") : ""
            let registry = try running.endpoint.lab.store.registeredDevices().count
            let reply = try await running.client.request(HTTPMethod(rawValue: String(requestLine[0])), String(requestLine[1]),
                                                         body: body.isEmpty ? nil : Data(body.utf8), headers: headers)
            #expect(reply.status == Int(expect[0]), "\(name): \(reply.status) \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
            if expect.count > 1 {
                #expect(reply.errorCode == expect[1], "\(name): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
            }
            let answer = String(decoding: reply.body, as: UTF8.self)
            for part in Self.directives("expect-body", in: text) {
                #expect(answer.contains(part), "\(name): '\(part)' not in: \(answer.prefix(600))")
            }
            for part in Self.directives("expect-body-lacks", in: text) {
                #expect(!answer.contains(part), "\(name): '\(part)' in: \(answer.prefix(600))")
            }
            if reply.status >= 400 {
                // Nothing of a refused request was applied.
                #expect(try running.endpoint.lab.store.events(of: "sales-1").isEmpty)
                #expect(try running.endpoint.lab.store.registeredDevices().count == registry)
            }
        }
    }
}
