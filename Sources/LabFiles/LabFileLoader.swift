import Foundation
import Yams
import DeviceIdentity
import Autopilot

extension LabFile {
    /// Reads and validates a lab file.
    ///
    /// - Throws: ``LabFileError`` listing every problem, each with file, line, column and field.
    public static func load(file: String) throws(LabFileError) -> LabFile {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw LabFileError([Diagnostic(file: file, line: 0, column: 0, path: "",
                                                message: "the file is not UTF-8 text")])
            }
            text = decoded
        } catch let error as LabFileError {
            throw error
        } catch {
            throw LabFileError([Diagnostic(file: file, line: 0, column: 0, path: "",
                                            message: "cannot read the file: \(error.localizedDescription)")])
        }
        return try parse(text, file: file)
    }

    /// Reads and validates a lab file's text; `file` names it in diagnostics.
    public static func parse(_ text: String, file: String) throws(LabFileError) -> LabFile {
        let log = DiagnosticLog(file: file)
        guard let root = YAMLDocument.root(of: text, log: log) else { throw LabFileError(log.diagnostics) }
        let labFile = LabFileReader(log: log).read(root, source: file)
        guard log.isEmpty, let labFile else { throw LabFileError(log.diagnostics) }
        return labFile
    }
}

/// Turns Yams' parse errors into diagnostics with positions.
enum YAMLDocument {
    /// The document's root node. Text whose first non-space character is `{` is read as JSON:
    /// its escaped surrogate pairs are rewritten for libyaml (``JSONSurrogatePairs``), an unpaired
    /// one is an error, and its text values must be JSON strings (``YAMLValue/string()``).
    static func root(of text: String, log: DiagnosticLog) -> YAMLValue? {
        var yaml = text
        if JSONSurrogatePairs.isJSON(text) {
            let pairs = JSONSurrogatePairs(json: text)
            for problem in pairs.problems { log.error(line: problem.line, column: problem.column, "", problem.message) }
            guard pairs.problems.isEmpty else { return nil }
            log.isJSON = true
            log.surrogatePairs = pairs
            yaml = pairs.text
        }
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                log.error(at: nil, "", "the file is empty")
                return nil
            }
            return YAMLValue(node: node, path: "", log: log)
        } catch let error as YamlError {
            switch error {
            case .scanner(let context, let problem, let mark, _),
                 .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                let detail = context.map { "\(problem) (\($0.text))" } ?? problem
                log.error(at: mark, "", "not valid YAML: \(detail)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
                log.error(at: context.mark, "", "\(keys) appears more than once in the same mapping")
            case .reader(let problem, _, _, _):
                log.error(at: nil, "", "not readable as YAML text: \(problem)")
            default:
                log.error(at: nil, "", "not valid YAML: \(error)")
            }
            return nil
        } catch {
            log.error(at: nil, "", "not valid YAML: \(error)")
            return nil
        }
    }
}

/// Reads the top level of a lab file, section by section.
struct LabFileReader {
    let log: DiagnosticLog

    static let sections = ["lab", "description", "hosts", "placement", "models", "fleet", "tenant", "groups", "profiles",
                           "esp", "apps", "policies", "compliance", "conditionalAccess", "scenario", "timing", "user", "faults", "graph"]

    func read(_ root: YAMLValue, source: String) -> LabFile? {
        guard let top = root.mapping(allowing: Self.sections) else { return nil }
        let lab = top.required("lab").flatMap(readLabName) ?? "lab"
        let hosts = top["hosts"].map { readHosts($0, source: source) } ?? [LabHost.embedded]
        let models = top.required("models").map { ModelReader(log: log).read($0) } ?? []
        let devices = top.required("fleet").map { value in
            FleetReader(lab: lab, models: models, hosts: hosts, log: log).read(value)
        } ?? []
        let autopilot = AutopilotSectionsReader(lab: lab, devices: devices, log: log)
        let (tenant, assignmentDelay, importDelay, syncDuration) = autopilot.tenant(top["tenant"])
        let groups = autopilot.groups(top["groups"])
        let apps = autopilot.apps(top["apps"])
        let configurations = autopilot.configurations(top["policies"])
        let pages = autopilot.enrollmentStatusPages(top["esp"], groups: groups, apps: apps)
        let profiles = autopilot.profiles(top["profiles"], groups: groups)
        let compliance = ComplianceReader(lab: lab, log: log)
        let scenario = top["scenario"].map { ScenarioReader(log: log).read($0) } ?? []
        let settings = RunSettingsReader(log: log)
        return LabFile(source: source, lab: lab, description: top["description"]?.string(), hosts: hosts,
                        placement: top["placement"]?.oneOf(HostPlacementPolicy.self) ?? .firstHost,
                        models: models, devices: devices, tenant: tenant, assignmentDelaySeconds: assignmentDelay,
                        importDelaySeconds: importDelay, syncSeconds: syncDuration,
                        groups: groups, profiles: profiles,
                        enrollmentStatusPages: pages, apps: apps, configurations: configurations,
                        compliancePolicies: compliance.compliancePolicies(top["compliance"], groups: groups),
                        conditionalAccessPolicies: compliance.conditionalAccessPolicies(top["conditionalAccess"]), scenario: scenario,
                        timing: settings.timing(top["timing"]), user: settings.user(top["user"]),
                        faults: settings.faults(top["faults"], devices: devices, models: models),
                        graph: settings.graph(top["graph"]))
    }

    /// Lab names become folder names and domain-name prefixes.
    private func readLabName(_ value: YAMLValue) -> String? {
        guard let name = value.nonEmptyString() else { return nil }
        guard name.count <= 40, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
              name.first?.isLetter == true || name.first?.isNumber == true else {
            value.error("'\(name)' is not a lab name: use up to 40 letters, digits, '-' and '_', starting with a letter or digit")
            return nil
        }
        return name
    }

    private func readHosts(_ value: YAMLValue, source: String) -> [LabHost] {
        guard case .mapping(let mapping) = value.node else {
            value.error("expected a mapping of host names to libvirt URIs (or to `{ uri, bootAddress, ekAuthority }`), found \(value.node.kindName)")
            return [LabHost.embedded]
        }
        let reader = MappingReader(mapping: mapping, path: value.path, log: log,
                                   allowed: Array(mapping.keys.compactMap { $0.scalar?.string }))
        var hosts: [LabHost] = []
        for key in mapping.keys.compactMap({ $0.scalar?.string }) {
            guard let hostValue = reader.required(key) else { continue }
            // `name: URI`, or `name: { uri: URI, bootAddress: ADDRESS, ekAuthority: PATH }`.
            var uriValue = hostValue, bootAddress: String?, ekAuthority: URL?
            if case .mapping = hostValue.node {
                guard let fields = hostValue.mapping(allowing: ["uri", "bootAddress", "ekAuthority"]),
                      let given = fields.required("uri") else { continue }
                uriValue = given
                if let address = fields["bootAddress"], let text = address.nonEmptyString() {
                    if text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }) {
                        bootAddress = text
                    } else {
                        address.error("'\(text)' is not an address (an IPv4 or IPv6 address or a host name) this host's VMs reach the controller at")
                    }
                }
                if let authority = fields["ekAuthority"] {
                    ekAuthority = readEKAuthority(authority, source: source)
                }
            }
            guard let uri = uriValue.nonEmptyString() else { continue }
            guard uri.contains(":///") || uri.contains("://") else {
                uriValue.error("'\(uri)' is not a libvirt URI (examples: test:///default, qemu:///system, qemu+tcp://198.18.0.2/system)")
                continue
            }
            hosts.append(LabHost(name: key, uri: uri, bootAddress: bootAddress, ekAuthority: ekAuthority))
        }
        if hosts.isEmpty { value.error("declare at least one host, or leave `hosts` out to use test:///default") }
        return hosts.isEmpty ? [LabHost.embedded] : hosts
    }

    /// A host's EK authority: a path relative to the lab file's folder, to a folder or a file that exists.
    private func readEKAuthority(_ value: YAMLValue, source: String) -> URL? {
        guard let path = value.nonEmptyString() else { return nil }
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: source).deletingLastPathComponent()).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            value.error("'\(path)' (\(url.path)) does not exist: give the folder of the host's swtpm local CA "
                        + "(its swtpm-localca-rootca-cert.pem and issuercert.pem) or a PEM file of those certificates")
            return nil
        }
        return url
    }
}
