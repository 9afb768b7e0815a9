import Foundation
import Hummingbird

extension BootEndpoint {
    /// `/assets/build/...` serves the image build folder, `/assets/...` serves `Images/`.
    /// No request can leave those folders: `..`, `.`, empty segments and NUL are refused after
    /// percent-decoding, and the resolved path (symbolic links followed) must stay inside.
    /// `Range` (one range) and `ETag`/`If-None-Match` work, as iPXE and curl use them.
    func addAssetRoutes(to router: Router<EndpointRequestContext>) {
        router.get("/assets/**") { request, context in try await self.asset(for: request, context: context, head: false) }
        router.head("/assets/**") { request, context in try await self.asset(for: request, context: context, head: true) }
    }

    func asset(for request: Request, context: EndpointRequestContext, head: Bool) async throws -> Response {
        let file = try AssetPath.resolve(rawPath: request.uri.path, imagesRoot: options.imagesDirectory,
                                         buildRoot: options.buildDirectory)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw APIError.notFound("no asset at \(request.uri.path)")
        }
        let modified = attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0)
        let etag = "\"\(String(size, radix: 16))-\(String(Int(modified.timeIntervalSince1970 * 1000), radix: 16))\""
        var headers: HTTPFields = [.eTag: etag, .acceptRanges: "bytes", .contentType: AssetPath.contentType(of: file)]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: {
            let tag = $0.trimmingCharacters(in: .whitespaces)
            return tag == etag || tag == "W/\(etag)" || tag == "*"
        }) {
            return Response(status: .notModified, headers: headers)
        }
        var range = 0..<size
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range] {
            switch ByteRange.parse(header, size: size) {
            case .whole: break
            case .unsatisfiable:
                return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"])
            case .range(let requested):
                range = requested
                status = .partialContent
                headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)"
            }
        }
        headers[.contentLength] = String(range.count)
        guard !head, !range.isEmpty else { return Response(status: status, headers: headers) }
        guard FileManager.default.isReadableFile(atPath: file.path) else {
            throw APIError(.internalServerError, "unreadable-asset", "\(request.uri.path) exists but cannot be read")
        }
        // Streamed from disk a chunk at a time: the guest agent (80 MB) goes to every VM that
        // boots, and a copy of it per request would hold that much memory per VM booting.
        let body = try await Self.files.loadFile(path: file.path, range: range.lowerBound...(range.upperBound - 1), context: context,
                                                 chunkLength: 1 << 20)
        return Response(status: status, headers: headers, body: body)
    }

    private static let files = FileIO()
}

/// Maps `/assets/...` request paths to files, refusing every way out of the roots.
enum AssetPath {
    static func resolve(rawPath: String, imagesRoot: URL, buildRoot: URL) throws -> URL {
        let prefix = "/assets/"
        guard rawPath.hasPrefix(prefix) else { throw APIError.notFound("no asset at \(rawPath)") }
        let encodedSegments = rawPath.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        var segments: [String] = []
        for encoded in encodedSegments {
            guard let segment = String(encoded).removingPercentEncoding else {
                throw APIError.badRequest("the asset path \(rawPath) is not valid percent-encoding")
            }
            guard !segment.isEmpty, segment != ".", segment != "..", !segment.contains("/"), !segment.contains("\0"),
                  !segment.contains("\\") else {
                throw APIError(.forbidden, "forbidden-path", "the asset path \(rawPath) leaves the asset folders")
            }
            segments.append(segment)
        }
        guard !segments.isEmpty else { throw APIError.notFound("no asset at \(rawPath)") }
        let (root, relative) = segments.first == "build" ? (buildRoot, Array(segments.dropFirst())) : (imagesRoot, segments)
        let file = relative.reduce(root) { $0.appendingPathComponent($1) }
        // Follow symbolic links, then insist the file is still inside its root.
        let resolvedRoot = root.resolvingSymlinksInPath().standardizedFileURL.path
        let resolvedFile = file.resolvingSymlinksInPath().standardizedFileURL.path
        guard resolvedFile.hasPrefix(resolvedRoot + "/") else {
            throw APIError(.forbidden, "forbidden-path", "the asset path \(rawPath) leaves the asset folders")
        }
        return URL(fileURLWithPath: resolvedFile)
    }

    static func contentType(of file: URL) -> String {
        switch file.pathExtension {
        case "ipxe", "txt", "cfg": "text/plain; charset=utf-8"
        case "json": "application/json"
        case "yaml", "yml": "application/yaml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}

/// One byte range of a `Range: bytes=...` header (RFC 9110).
enum ByteRange: Equatable {
    case whole
    case range(Range<Int>)
    case unsatisfiable

    static func parse(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .whole }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return .unsatisfiable }
            return size == 0 ? .unsatisfiable : .range(max(0, size - suffix)..<size)
        }
        guard let start = Int(parts[0]), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        let end = parts[1].isEmpty ? size - 1 : Int(parts[1]).map { min($0, size - 1) }
        guard let end, end >= start else { return .whole }
        return .range(start..<(end + 1))
    }
}
