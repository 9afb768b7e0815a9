/// How the lab's Graph door behaves beyond answering (the lab file's `graph` section): Intune's
/// throttling, and faults on routes for scripts' retry logic.
public struct GraphSettings: Sendable, Equatable, Encodable {
    /// Intune's limits per tenant: 2,000 requests and 200 writes in 20 s, then 429 with `Retry-After`.
    public var throttling: Bool
    public var faults: [GraphFault]

    public init(throttling: Bool = false, faults: [GraphFault] = []) {
        self.throttling = throttling
        self.faults = faults
    }
}

/// A refusal injected on Graph routes: the requests whose path (after `/beta` or `/v1.0`) starts
/// with `path`, of `method` when given, answer `status` (429 or 503), with `Retry-After` when
/// `retryAfter` is given (Intune's 429s sometimes have none), for the first `count` requests or
/// every one.
public struct GraphFault: Sendable, Equatable, Encodable {
    public var path: String
    public var method: String?
    public var status: Int
    public var retryAfter: Int?
    public var count: Int?

    public init(path: String, method: String? = nil, status: Int, retryAfter: Int? = nil, count: Int? = nil) {
        self.path = path
        self.method = method
        self.status = status
        self.retryAfter = retryAfter
        self.count = count
    }
}

extension RunSettingsReader {
    func graph(_ value: YAMLValue?) -> GraphSettings {
        guard let fields = value?.mapping(allowing: ["throttling", "faults"]) else { return GraphSettings() }
        let faults = fields["faults"]?.sequence()?.compactMap { item -> GraphFault? in
            guard let fault = item.mapping(allowing: ["path", "method", "status", "retryAfter", "count"]),
                  let path = fault.required("path")?.nonEmptyString(),
                  let status = fault.required("status")?.int(in: 429...503) else { return nil }
            guard status == 429 || status == 503 else {
                fault.error("status", "\(status) is not 429 or 503")
                return nil
            }
            let method = fault["method"]?.oneOf(["GET", "POST", "PATCH", "PUT", "DELETE"].map { ($0, $0) })
            return GraphFault(path: path.hasPrefix("/") ? String(path.dropFirst()) : path, method: method, status: status,
                              retryAfter: fault["retryAfter"]?.int(in: 0...3600), count: fault["count"]?.int(in: 1...1_000_000))
        } ?? []
        return GraphSettings(throttling: fields["throttling"]?.bool() ?? false, faults: faults)
    }
}

extension GraphSettings {
    /// Settings sent on their own (the admin API's body, JSON or YAML), read by the rules of the
    /// lab file's `graph` section; a problem names its field and line.
    public static func read(_ text: String, file: String) throws(LabFileError) -> GraphSettings {
        let log = DiagnosticLog(file: file)
        guard let root = YAMLDocument.root(of: text, log: log) else { throw LabFileError(log.diagnostics) }
        let settings = RunSettingsReader(log: log).graph(root)
        guard log.isEmpty else { throw LabFileError(log.diagnostics) }
        return settings
    }
}
