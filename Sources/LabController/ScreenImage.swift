public import Foundation

/// A device's screen as PNG. libvirt hands screens over in the hypervisor's format: QEMU gives a
/// binary portable pixmap (P6), the test driver a PNG; pxelab always gives out PNG, which every
/// browser and image viewer shows.
public enum ScreenImage {
    /// The PNG for what `virDomainScreenshot` returned.
    public static func png(from data: Data, mimeType: String) throws -> Data {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return data }
        guard mimeType == "image/x-portable-pixmap" || data.starts(with: Array("P6".utf8)) else {
            throw ScreenImageError("a screen in \(mimeType) cannot be converted to PNG")
        }
        let pixmap = try Pixmap(ppm: data)
        return pixmap.png()
    }

    /// An RGB image from a binary PPM: `P6`, width, height, maximum value (255), one whitespace,
    /// then three bytes per pixel; comments start with `#`.
    struct Pixmap {
        let width: Int
        let height: Int
        let rgb: Data

        init(ppm data: Data) throws {
            let bytes = [UInt8](data)
            var index = 2
            func number() throws -> Int {
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "#") {
                        while index < bytes.count && bytes[index] != 0x0A { index += 1 }
                    } else if [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                        index += 1
                    } else {
                        break
                    }
                }
                let start = index
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
                guard index > start, let value = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
                    throw ScreenImageError("the screen's PPM header is malformed at byte \(start)")
                }
                return value
            }
            guard bytes.starts(with: Array("P6".utf8)) else { throw ScreenImageError("the screen is not a binary PPM (P6)") }
            width = try number()
            height = try number()
            guard try number() == 255 else { throw ScreenImageError("the screen's PPM does not use 8-bit samples") }
            index += 1
            let size = width * height * 3
            guard width > 0, height > 0, bytes.count - index >= size else {
                throw ScreenImageError("the screen's PPM holds \(bytes.count - index) bytes of pixels; \(width)x\(height) needs \(size)")
            }
            rgb = Data(bytes[index..<(index + size)])
        }

        /// A PNG (8-bit RGB) whose image data is deflate's stored blocks: no compression library,
        /// and a screen is small.
        func png() -> Data {
            var raw = Data(capacity: (width * 3 + 1) * height)
            for row in 0..<height {
                raw.append(0)  // filter: none
                raw.append(rgb[(row * width * 3)..<((row + 1) * width * 3)])
            }
            var zlib = Data([0x78, 0x01])
            var offset = 0
            repeat {
                let length = min(65_535, raw.count - offset)
                let last: UInt8 = offset + length == raw.count ? 1 : 0
                zlib.append(last)
                zlib.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)])
                zlib.append(raw[offset..<(offset + length)])
                offset += length
            } while offset < raw.count
            zlib.append(contentsOf: Self.bigEndian(Self.adler32(raw)))
            var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            var header = Data(Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height)))
            header.append(contentsOf: [8, 2, 0, 0, 0])  // 8-bit, RGB, deflate, no filter method, no interlace
            Self.chunk("IHDR", header, into: &png)
            Self.chunk("IDAT", zlib, into: &png)
            Self.chunk("IEND", Data(), into: &png)
            return png
        }

        private static func chunk(_ type: String, _ body: Data, into png: inout Data) {
            png.append(contentsOf: bigEndian(UInt32(body.count)))
            let typed = Data(type.utf8) + body
            png.append(typed)
            png.append(contentsOf: bigEndian(crc32(typed)))
        }

        private static func bigEndian(_ value: UInt32) -> [UInt8] {
            [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }

        private static let crcTable: [UInt32] = (0..<256).map { index in
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            return value
        }

        static func crc32(_ data: Data) -> UInt32 {
            ~data.reduce(0xFFFF_FFFF as UInt32) { crc, byte in crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }

        static func adler32(_ data: Data) -> UInt32 {
            var a: UInt32 = 1
            var b: UInt32 = 0
            for byte in data {
                a = (a + UInt32(byte)) % 65_521
                b = (b + a) % 65_521
            }
            return b << 16 | a
        }
    }
}

/// A screen that cannot be turned into a PNG.
public struct ScreenImageError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
