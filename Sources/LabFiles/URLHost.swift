/// An address as the host part of a URL: an IPv6 address goes in brackets (RFC 3986),
/// `http://[fd00::1]:7480` against `http://198.18.0.9:7480`.
public func urlHost(_ address: String) -> String {
    address.contains(":") ? "[\(address)]" : address
}
