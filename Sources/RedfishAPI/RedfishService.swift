public import Foundation
public import Hummingbird
import HTTPTypes
import Crypto
import DeviceIdentity
import DeviceProtocol
public import LabService
import LabFiles
import LabStore
import NIOCore
import Synchronization

/// The Redfish service over the lab's devices: one `ComputerSystem` per lab device on every host
/// of the lab, with its SMBIOS identity, power and boot override, and the sessions, accounts and
/// tasks a BMC has. A reset is the lab's power flow; a change here is the lab's change. It runs on
/// a listener of its own (``RedfishServer``), HTTPS by default.
///
/// ```swift
/// let redfish = try RedfishService(lab: lab, fleet: fleet)
/// redfish.add(to: router)   // GET /redfish/v1/Systems
/// ```
public final class RedfishService: Sendable {
    public let lab: Lab
    let fleet: Fleet?
    let accounts: RedfishAccounts
    let sessions: RedfishSessions
    let tasks = RedfishTasks()
    let writes = OneWriteAtATime()
    /// Each system's resets: the last one, which ends after every one before it, and how many
    /// power-offs cut in (a reset accepted before the last of them is superseded).
    struct SystemResets {
        var last: Task<Void, Never>?
        var generation = 0
    }
    let resets = Mutex<[String: SystemResets]>([:])
    /// Systems as last rendered, by device name.
    let renderedSystems = KeptRenditions<SystemStamp, KeptSystem>(size: { $0.rendered.bytes.readableBytes })
    /// The address the service's listener serves on (its manager's interface shows it).
    let listenAddress = Mutex("127.0.0.1")
    let clock: @Sendable () -> Date
    /// The service's UUID, stable for a lab.
    let uuid: String
    static let maxBodyBytes = 1 << 20
    /// Lab devices by SMBIOS UUID (lower case) and by name: a system's two ids.
    let devicesByUUID: [String: LabDevice]
    let devicesByName: [String: LabDevice]

    public init(lab: Lab, fleet: Fleet?, clock: @escaping @Sendable () -> Date = Date.init) throws {
        self.lab = lab
        self.fleet = fleet
        self.clock = clock
        accounts = try RedfishAccounts(in: lab.directory)
        sessions = RedfishSessions(clock: clock)
        uuid = IdentifierAllocator.stableUUID("redfish", lab.labFile.lab).uuidString.lowercased()
        let devices = lab.labFile.devices
        devicesByUUID = Dictionary(devices.map { ($0.identity.uuid.uuidString.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        devicesByName = Dictionary(devices.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The lab's `admin` account's password (`<lab folder>/redfish.password`).
    public var adminPassword: String { accounts.adminPassword }

    /// Returns once every reset accepted so far has been carried out (a 202 only promises it).
    public func resetsCarriedOut() async {
        for reset in resets.withLock({ $0.values.compactMap(\.last) }) { await reset.value }
    }

    /// Adds `/redfish` and everything under it, every method.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        for method in [HTTPRequest.Method.get, .head, .post, .patch, .put, .delete] {
            router.on("/redfish", method: method) { request, _ in await self.answer(request) }
            router.on("/redfish/**", method: method) { request, _ in await self.answer(request) }
        }
    }

    /// Answers one request; every refusal in Redfish's error form.
    func answer(_ request: Request) async -> Response {
        var request = request
        let body: Data
        do {
            body = Data(try await request.collectBody(upTo: Self.maxBodyBytes).readableBytesView)
        } catch {
            return Self.response(RedfishError(.contentTooLarge, "PayloadTooLarge", "The request body is larger than \(Self.maxBodyBytes) bytes."))
        }
        guard let parsed = RedfishRequest(method: request.method, path: request.uri.path[...], headers: request.headers, body: body) else {
            return Self.response(RedfishError.notFound("Resource", request.uri.path))
        }
        do {
            // Redfish speaks OData 4.0: a client asking for another version is refused.
            if let version = parsed.headers[RedfishHeaders.odataVersion], version.trimmingCharacters(in: .whitespaces) != "4.0" {
                throw RedfishError(.preconditionFailed, "HeaderInvalid", "The OData-Version header '\(version)' is not supported; the service speaks 4.0.",
                                   resolution: "Send OData-Version: 4.0 or leave the header out.")
            }
            // No query parameter is supported (the service root's ProtocolFeaturesSupported says so).
            if let unsupported = request.uri.queryParameters.first(where: { $0.key.hasPrefix("$") || $0.key == "only" || $0.key == "excerpt" }) {
                throw RedfishError(.notImplemented, "QueryNotSupported", "Querying with \(unsupported.key) is not supported by the implementation.",
                                   resolution: "Remove the query parameter and resubmit the request if the operation failed.")
            }
            let caller = try await authenticate(parsed)
            let reply = parsed.method == .get || parsed.method == .head
                ? try await route(parsed, caller: caller)
                : try await writes.run { try await route(parsed, caller: caller) }
            return reply.response(method: parsed.method, ifNoneMatch: parsed.headers[.ifNoneMatch])
        } catch let error as RedfishError {
            return Self.response(error)
        } catch let error as MethodNotAllowed {
            var response = Self.response(.methodNotAllowed(parsed.method.rawValue))
            response.headers[RedfishHeaders.allow] = error.allowed.map(\.rawValue).joined(separator: ", ")
            return response
        } catch let error as LabError {
            return Self.response(Self.refusal(error))
        } catch {
            return Self.response(.internalError("\(error)"))
        }
    }

    static func refusal(_ error: LabError) -> RedfishError {
        switch error {
        case .noDevice: .notFound("ComputerSystem", "\(error)")
        case .deviceBusy, .notRunning: .conflict(error.description)
        default: RedfishError(.badRequest, "GeneralError", error.description)
        }
    }

    static func response(_ error: RedfishError) -> Response {
        var headers = Reply.commonHeaders
        if error.status == .unauthorized { headers[.wwwAuthenticate] = #"Basic realm="pxelab Redfish""# }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: RedfishJSON.data(error.body))))
    }
}

/// Who a request comes from: an account, and the session it came through, if any.
struct Caller: Sendable {
    let account: RedfishAccounts.Account
    let sessionID: String?

    func requires(_ privilege: String) throws(RedfishError) {
        guard account.roleID.privileges.contains(privilege) else {
            throw RedfishError(.forbidden, "InsufficientPrivilege",
                               "There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.",
                               resolution: "Either abandon the operation or change the associated access rights and resubmit the request if the operation failed.")
        }
    }
}

extension RedfishService {
    /// The caller of a request: a session's token or Basic credentials; nil for the requests that
    /// need none (`/redfish`, the service root, `odata`, `$metadata`, a login).
    func authenticate(_ request: RedfishRequest) async throws -> Caller? {
        if let token = request.headers[RedfishHeaders.authToken] {
            guard let caller = sessionCaller(token: token) else { throw RedfishError.unauthorized }
            return caller
        }
        if let (user, password) = Self.basicCredentials(request.headers) {
            // A credential seen to pass costs a hash; a new one bcrypt, off the cooperative pool.
            let accounts = accounts
            var account = accounts.known(user: user, password: password)
            if account == nil { account = try await Offload.run { accounts.authenticate(user: user, password: password) } }
            guard let account else { throw RedfishError.unauthorized }
            return Caller(account: account, sessionID: nil)
        }
        guard Self.isOpen(request) else { throw RedfishError.unauthorized }
        return nil
    }

    /// The caller of a request when that is known without waiting: a live session's token, or
    /// Basic credentials seen to pass before.
    func knownCaller(_ headers: HTTPFields) -> Caller? {
        if let token = headers[RedfishHeaders.authToken] { return sessionCaller(token: token) }
        guard let (user, password) = Self.basicCredentials(headers), let account = accounts.known(user: user, password: password) else {
            return nil
        }
        return Caller(account: account, sessionID: nil)
    }

    private func sessionCaller(token: String) -> Caller? {
        guard let session = sessions.session(token: token), let account = accounts.account(id: session.accountID) else { return nil }
        return Caller(account: account, sessionID: session.id)
    }

    /// The user and password of an `Authorization: Basic` header.
    private static func basicCredentials(_ headers: HTTPFields) -> (user: String, password: String)? {
        guard let value = headers[.authorization], value.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(value.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// The requests DSP0266 has answered without authentication.
    static func isOpen(_ request: RedfishRequest) -> Bool {
        guard let segments = request.segments else { return true }
        switch segments {
        case [], ["odata"], ["$metadata"], ["Schemas", PxelabOem.file]: return request.method == .get || request.method == .head
        case ["SessionService", "Sessions"], ["SessionService", "Sessions", "Members"]: return request.method == .post
        default: return false
        }
    }
}

/// A Redfish answer before it is a response: JSON (an ETag made from it for a resource), or none.
/// Built by one task and handed to the one that writes it (the JSON is never shared).
struct Reply: @unchecked Sendable {
    var status: HTTPResponse.Status = .ok
    var body: [String: Any]?
    var headers: HTTPFields = [:]
    /// The methods the resource allows (the `Allow` header on GET and HEAD).
    var allow: [HTTPRequest.Method] = [.get, .head]
    var text: (contentType: String, body: String)?
    /// The body as rendered earlier (``KeptRenditions``), sent instead of `body`.
    var kept: Rendered?
    /// The version of what a PATCH of the resource changes, put in front of its ETag: `If-Match`
    /// is checked against it (``RedfishService/checkIfMatch(_:settings:)``).
    var settingsVersion: String?

    static var commonHeaders: HTTPFields {
        [RedfishHeaders.odataVersion: "4.0", .cacheControl: "no-cache"]
    }

    init(status: HTTPResponse.Status = .ok, _ body: [String: Any]?, allow: [HTTPRequest.Method] = [.get, .head]) {
        self.status = status
        self.body = body
        self.allow = allow
    }

    /// The ETag of a resource body: a hash of its JSON without `@odata.etag`.
    static func etag(of body: [String: Any]) -> String {
        var copy = body
        copy["@odata.etag"] = nil
        return etag(ofJSON: RedfishJSON.data(copy), settingsVersion: nil)
    }

    /// The ETag of a resource's JSON, after its settings' version when it has one.
    static func etag(ofJSON data: Data, settingsVersion: String?) -> String {
        "\"" + (settingsVersion.map { $0 + "-" } ?? "") + hash(data) + "\""
    }

    /// 16 hex digits of the bytes' SHA-256.
    static func hash(_ data: Data) -> String {
        let hex = JSONText.hexDigits
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        for byte in SHA256.hash(data: data).prefix(8) { digits += [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]] }
        return String(decoding: digits, as: UTF8.self)
    }

    /// The body as sent, serialized once: the ETag (for a resource) is a hash of these bytes, and
    /// `@odata.etag` goes in front of them.
    struct Rendered: Sendable {
        let bytes: ByteBuffer
        let etag: String?
        /// The resource's schema, from its `@odata.type`, for the `Link: rel=describedby` header.
        let describedBy: String?
    }

    func rendered() -> Rendered? {
        guard let body else { return nil }
        let data = RedfishJSON.data(body)
        let type = body["@odata.type"] as? String
        let describedBy = type.flatMap { $0.hasPrefix("#") ? String($0.dropFirst().split(separator: ".").first ?? "") : nil }
        guard status == .ok || status == .created, body["@odata.id"] != nil else {
            return Rendered(bytes: ByteBuffer(bytes: data), etag: nil, describedBy: describedBy)
        }
        let etag = Self.etag(ofJSON: data, settingsVersion: settingsVersion)
        guard type != nil, status == .ok else { return Rendered(bytes: ByteBuffer(bytes: data), etag: etag, describedBy: describedBy) }
        var bytes = ByteBuffer()
        bytes.reserveCapacity(data.count + etag.utf8.count + 20)
        bytes.writeString(#"{"@odata.etag":"\""#)
        bytes.writeString(String(etag.dropFirst().dropLast()))
        bytes.writeString(#"\"","#)
        bytes.writeBytes(data.dropFirst())
        return Rendered(bytes: bytes, etag: etag, describedBy: describedBy)
    }

    func response(method: HTTPRequest.Method, ifNoneMatch: String? = nil) -> Response {
        var headers = Self.commonHeaders
        headers.append(contentsOf: self.headers)
        if let text {
            headers[.contentType] = text.contentType
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: method == .head ? "" : text.body)))
        }
        guard let rendered = kept ?? rendered() else { return Response(status: status, headers: headers) }
        if let etag = rendered.etag {
            headers[.eTag] = etag
            // A client that has this version already gets 304 Not Modified.
            if method == .get || method == .head, status == .ok,
               let ifNoneMatch, ifNoneMatch.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }) {
                headers[RedfishHeaders.allow] = allow.map(\.rawValue).joined(separator: ", ")
                return Response(status: .notModified, headers: headers)
            }
        }
        if method == .get || method == .head { Self.describe(rendered, allow: allow, in: &headers) }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: method == .head ? ByteBuffer() : rendered.bytes))
    }

    /// A GET's headers for a resource's kept rendition, as ``response(method:ifNoneMatch:)`` makes
    /// them.
    static func headers(of rendered: Rendered, allow: [HTTPRequest.Method]) -> HTTPFields {
        var headers = commonHeaders
        if let etag = rendered.etag { headers[.eTag] = etag }
        describe(rendered, allow: allow, in: &headers)
        headers[.contentType] = "application/json; charset=utf-8"
        return headers
    }

    /// What a GET of a resource says about it: the methods it allows, and its schema.
    private static func describe(_ rendered: Rendered, allow: [HTTPRequest.Method], in headers: inout HTTPFields) {
        headers[RedfishHeaders.allow] = allow.map(\.rawValue).joined(separator: ", ")
        if let describedBy = rendered.describedBy {
            headers[RedfishHeaders.link] = "<http://redfish.dmtf.org/schemas/v1/\(describedBy).json>; rel=describedby"
        }
    }
}
