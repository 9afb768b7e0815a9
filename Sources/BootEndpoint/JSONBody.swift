import Foundation
import Hummingbird
import DeviceProtocol

/// JSON in and out, with errors that say what is wrong with a request.
enum JSONBody {
    static func response<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok,
                                           headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try ProtocolJSON.encoder().encode(value))))
    }

    /// Reads a request body (at most `limit` bytes) as JSON of a type; a bad body is a 400 that
    /// names the field, an oversized one a 413.
    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, limit: Int) async throws -> Value {
        try decode(type, from: try await bytes(of: request, limit: limit))
    }

    /// Reads JSON bytes already collected from a request (a body can be read only once).
    static func decode<Value: Decodable>(_ type: Value.Type, from data: Data) throws -> Value {
        do {
            return try ProtocolJSON.decoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw APIError.badRequest(ProtocolJSON.words(of: error), field: ProtocolJSON.field(of: error))
        } catch {
            throw APIError.badRequest("the body is not JSON: \(error.localizedDescription)")
        }
    }

    static func bytes(of request: Request, limit: Int) async throws -> Data {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch {
            throw APIError(.contentTooLarge, "too-large", "the request body is larger than \(limit) bytes")
        }
    }
}
