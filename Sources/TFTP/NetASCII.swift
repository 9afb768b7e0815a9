import NIOCore

extension ByteBuffer {
    /// The bytes in RFC 764's NVT ASCII, as netascii mode sends them: a line feed becomes CR LF and
    /// a carriage return CR NUL, so that the client's conversion back gives the bytes unchanged.
    /// Only requests in netascii mode pay for the copy.
    func netASCII() -> ByteBuffer {
        var converted = ByteBuffer()
        let view = readableBytesView
        converted.reserveCapacity(view.count + view.lazy.filter { $0 == 0x0A || $0 == 0x0D }.count)
        var start = view.startIndex
        while let special = view[start...].firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
            converted.writeBytes(view[start..<special])
            converted.writeMultipleIntegers(UInt8(0x0D), view[special] == 0x0A ? UInt8(0x0A) : 0)
            start = special + 1
        }
        converted.writeBytes(view[start...])
        return converted
    }
}
