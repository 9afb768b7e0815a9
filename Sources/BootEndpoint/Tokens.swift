import Hummingbird

/// Bearer tokens: the lab's admin token (written owner-only to the lab folder on first start,
/// ``Secret/stored(at:make:)``) and each device's token (handed to it by its boot script).
/// Compared in constant time (``Secret/equal(_:_:)``); never logged.
enum Tokens {
    /// The bearer token of a request, if it has one.
    static func bearer(of request: Request) -> String? {
        guard let value = request.headers[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
    }
}
