public import Foundation
public import Hummingbird
import HTTPTypes
public import LabService
import LabStore

/// The Graph-shaped door: `/beta/...` and `/v1.0/...` at the root of the endpoint's port, the
/// Autopilot part of Microsoft Graph as the PowerShell modules and the Graph SDKs call it. Each
/// route parses an OData request, calls the lab's service and renders Graph's JSON; a change
/// made here is the same change as through any other door.
///
/// ```swift
/// let graph = try GraphController(lab: lab, fleet: fleet)
/// graph.add(to: router)   // GET /beta/deviceManagement/windowsAutopilotDeviceIdentities
/// ```
public struct GraphController: Sendable {
    public let lab: Lab
    public let fleet: Fleet?
    /// The bearer token Graph clients present (`<lab folder>/graph.token`).
    public let token: String
    let maxBodyBytes: Int
    /// The remote actions sent to managed devices, and how each went.
    let actions = RemoteActionLog()
    /// Injected faults and throttling.
    let gate: GraphGate
    /// Pages of identities as last rendered (a script pages through them again and again).
    let renderedPages = KeptRenditions<StoreStamp, ByteBuffer>(size: { $0.readableBytes })
    let clock: @Sendable () -> Date

    public init(lab: Lab, fleet: Fleet? = nil, maxBodyBytes: Int = 8 << 20, clock: @escaping @Sendable () -> Date = Date.init) throws {
        self.lab = lab
        self.fleet = fleet
        self.token = try GraphToken.stored(at: lab.directory.path("graph.token"), tenant: lab.autopilot.tenant.id, now: clock())
        self.maxBodyBytes = maxBodyBytes
        self.gate = GraphGate(lab: lab)
        self.clock = clock
    }

    /// Adds Graph's routes: every method under `/beta/` and `/v1.0/`.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        for version in ODataPath.Version.allCases {
            for method in [HTTPRequest.Method.get, .post, .patch, .put, .delete] {
                router.on("/\(version.rawValue)/**", method: method) { request, _ in await answer(request) }
            }
        }
    }

    /// Answers one request; every failure becomes Graph's error body.
    func answer(_ request: Request) async -> Response {
        let requestID = UUID().uuidString.lowercased()
        let clientRequestID = request.headers[GraphHeaders.clientRequestID]
        let base = Self.base(of: request)
        let url = base + request.uri.description
        var intune = false
        var response: Response
        do {
            guard let path = ODataPath(request.uri.path[...]) else { throw GraphError.notFound("Resource not found.") }
            intune = path.segments.first?.lowercased() == "devicemanagement"
            try authorize(request)
            try gate.admit(request.method, path, at: clock())
            var body = request
            let data = try await GraphRequest.body(of: &body, limit: maxBodyBytes)
            let graphRequest = GraphRequest(method: request.method, path: path, query: try ODataQuery(request.uri.query.map { $0[...] }),
                                            body: data, base: base, uri: request.uri.description)
            response = try await route(graphRequest)
        } catch let error as GraphError {
            response = error.response(requestID: requestID, clientRequestID: clientRequestID, intune: intune, url: url, at: clock())
        } catch {
            response = GraphError(error).response(requestID: requestID, clientRequestID: clientRequestID, intune: intune,
                                                  url: url, at: clock())
        }
        response.headers[GraphHeaders.requestID] = requestID
        response.headers[GraphHeaders.clientRequestID] = clientRequestID ?? requestID
        return response
    }

    func authorize(_ request: Request) throws {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer "),
              case let presented = value.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces), !presented.isEmpty else {
            throw GraphError(.unauthorized, "InvalidAuthenticationToken", "Access token is empty.")
        }
        guard Secret.equal(presented, token) else {
            throw GraphError(.unauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
        }
    }

    /// The scheme and host a client reached the lab by, for absolute links (`@odata.nextLink`,
    /// `@odata.context`); a TLS proxy in front says so with `X-Forwarded-Proto` and `-Host`.
    static func base(of request: Request) -> String {
        let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!, forwardedHost = HTTPField.Name("X-Forwarded-Host")!
        let scheme = request.headers[forwardedProto] ?? "http"
        let host = request.headers[forwardedHost] ?? request.head.authority ?? "127.0.0.1"
        return "\(scheme)://\(host)"
    }

    /// The resource a path names.
    func route(_ request: GraphRequest) async throws -> Response {
        if let answer = try await autopilotDeviceIdentities(request) { return answer }
        if let answer = try await importedDeviceIdentities(request) { return answer }
        if let answer = try await deploymentProfiles(request) { return answer }
        if let answer = try await autopilotEvents(request) { return answer }
        if let answer = try await managedDevices(request) { return answer }
        if let answer = try await autopilotSettings(request) { return answer }
        if let answer = try await enrollmentConfigurations(request) { return answer }
        if let answer = try await deviceCompliancePolicies(request) { return answer }
        if let answer = try await groups(request) { return answer }
        if let answer = try await devices(request) { return answer }
        if let answer = try organization(request) { return answer }
        throw GraphError.segment(request.path.segments.first ?? "")
    }
}

extension GraphError {
    /// What the lab's service refused, in Graph's terms.
    init(_ error: any Error) {
        switch error {
        case let error as LabError:
            switch error {
            case .noDevice, .noRegistration, .noProfile, .noProfileNamed, .noSnapshot, .noEnrollmentStatusPage:
                self.init(.notFound, "ResourceNotFound", error.description)
            case .deviceBusy, .notRunning, .groupExists, .profileExists, .syncInProgress, .enrollmentStatusPageExists:
                self.init(.conflict, "Conflict", error.description)
            case .syncTooSoon(let seconds):
                self.init(.tooManyRequests, "TooManyRequests", "Too many requests.", retryAfter: seconds)
            case .labNotChosen, .unreadable, .unwritable, .missingOnHost:
                self.init(.internalServerError, "InternalServerError", error.description)
            default:
                self.init(.badRequest, "BadRequest", error.description)
            }
        case let error as LabStoreError:
            switch error.kind {
            case .full, .readOnly, .unavailable:
                self.init(.serviceUnavailable, "ServiceUnavailable", error.description + "; nothing of this request was stored")
            case .refused:
                self.init(.internalServerError, "InternalServerError", error.description + "; nothing of this request was stored")
            }
        default:
            self.init(.internalServerError, "InternalServerError", "\(error)")
        }
    }
}

/// One Graph request, parsed.
struct GraphRequest: Sendable {
    let method: HTTPRequest.Method
    let path: ODataPath
    let query: ODataQuery
    let body: Data
    /// `scheme://host:port` as the client reached the lab.
    let base: String
    /// The path and query as sent: with `base`, what a kept page is found by.
    let uri: String

    /// The `@odata.context` of an entity set or entity, under this request's version.
    func context(_ fragment: String) -> String { "\(base)/\(path.version.rawValue)/$metadata#\(fragment)" }

    /// The body, read whole (at most `limit` bytes).
    static func body(of request: inout Request, limit: Int) async throws -> Data {
        do {
            return Data(try await request.collectBody(upTo: limit).readableBytesView)
        } catch {
            throw GraphError(.contentTooLarge, "RequestEntityTooLarge", "The request body is larger than \(limit) bytes.")
        }
    }

    func parsedBody() throws -> GraphBody { try GraphBody(body) }
}

extension GraphController {
    /// A collection as Graph answers it: the items `$filter` keeps (a property the type does not
    /// have is a 400; `property` answers nil for those, given no item), in pages of `$top` (at
    /// most 1,000) in the collection's order, a `$skiptoken` going on after the item with its
    /// id, `@odata.count`, and `$select` applied to each item.
    func collection<Item>(_ request: GraphRequest, context: String, type: String, _ items: [Item],
                          property: (String, Item?) -> String?, write: (inout ObjectWriter, Item) -> Void) throws -> Response {
        let filter = request.query.filter
        for (name, _) in filter?.terms ?? [] where property(name, nil) == nil {
            throw GraphError.badRequest("Could not find a property named '\(name)' on type 'microsoft.graph.\(type)'.")
        }
        let kept = filter.map { filter in items.filter { item in filter.matches { property($0, item) } } } ?? items
        var start = kept.startIndex
        if let last = try request.query.skipToken.map(Self.lastID(inSkipToken:)) {
            start = kept.firstIndex { property("id", $0) == last }.map { $0 + 1 } ?? kept.endIndex
        }
        let end = min(start + request.query.pageSize, kept.endIndex)
        return GraphResponse.json(Self.pageJSON(request, set: context, kept[start..<end], total: kept.count, more: end < kept.endIndex,
                                                id: { property("id", $0) ?? "" }, write: write))
    }
}

extension GraphController {
    /// The page of `items` (in the order of their ids) after `after`, at most `size`, and whether
    /// more follow: the lists read whole page this way, by the last id a `$skiptoken` carries.
    static func keysetPage<Item>(_ items: [Item], id: (Item) -> String, after: String?, size: Int) -> (page: ArraySlice<Item>, more: Bool) {
        let start = after.map { last in items.firstIndex { id($0) > last } ?? items.endIndex } ?? items.startIndex
        let end = min(start + size, items.endIndex)
        return (items[start..<end], end < items.endIndex)
    }

    /// A page of a paged list: `@odata.count` (all that match), an absolute `@odata.nextLink` when
    /// more follow (the request's options, `$skiptoken` after the page's last id), `$select`
    /// applied to each item.
    static func pageAnswer<Item>(_ request: GraphRequest, set: String, _ page: some BidirectionalCollection<Item>, total: Int, more: Bool,
                                 id: (Item) -> String, write: (inout ObjectWriter, Item) -> Void) -> Response {
        GraphResponse.json(pageJSON(request, set: set, page, total: total, more: more, id: id, write: write))
    }

    static func pageJSON<Item>(_ request: GraphRequest, set: String, _ page: some BidirectionalCollection<Item>, total: Int, more: Bool,
                               id: (Item) -> String, write: (inout ObjectWriter, Item) -> Void) -> GraphJSON {
        GraphJSON.object { root in
            root.field("@odata.context", request.context(set))
            root.field("@odata.count", total)
            if more, let last = page.last {
                root.field("@odata.nextLink", "\(request.base)/\(request.path.version.rawValue)/\(set)?"
                           + request.query.next(skipToken: skipToken(after: id(last))))
            }
            root.objects("value", page, selecting: request.query.select, write)
        }
    }
}

/// Graph's answers.
enum GraphResponse {
    static func json(_ json: GraphJSON, status: HTTPResponse.Status = .ok) -> Response {
        self.json(ByteBuffer(bytes: json.bytes), status: status)
    }

    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8",
                                           odataVersion: "4.0"],
                 body: .init(byteBuffer: body))
    }

    private static let odataVersion = HTTPField.Name("OData-Version")!

    static let noContent = Response(status: .noContent)
}
