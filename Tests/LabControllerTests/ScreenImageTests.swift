import Foundation
import Testing
@testable import LabController

@Suite("screens as PNG")
struct ScreenImageTests {
    /// A 3x2 binary PPM with a comment in its header, as QEMU's screendump writes.
    let ppm = Data("P6\n# pxelab\n3 2\n255\n".utf8) + Data([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90])

    @Test func aPixmapBecomesAPNGWithValidChunksAndTheSamePixels() throws {
        let png = [UInt8](try ScreenImage.png(from: ppm, mimeType: "image/x-portable-pixmap"))
        #expect(png.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Walk the chunks, checking each CRC, and collect the image data.
        var offset = 8
        var chunks: [String] = []
        var header: [UInt8] = []
        var data: [UInt8] = []
        while offset < png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
            let typed = Array(png[(offset + 4)..<(offset + 8 + length)])
            let crc = png[(offset + 8 + length)..<(offset + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            #expect(crc == ScreenImage.Pixmap.crc32(Data(typed)))
            let type = String(decoding: typed.prefix(4), as: UTF8.self)
            chunks.append(type)
            if type == "IHDR" { header = Array(typed.dropFirst(4)) }
            if type == "IDAT" { data += typed.dropFirst(4) }
            offset += 12 + length
        }
        #expect(chunks == ["IHDR", "IDAT", "IEND"])
        #expect(header == [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        // zlib header, one stored block (final), then the rows with filter byte 0, then Adler-32.
        #expect(data.prefix(3) == [0x78, 0x01, 0x01])
        let rows = Array(data[7..<(data.count - 4)])
        #expect(rows == [0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
        let adler = data.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(adler == ScreenImage.Pixmap.adler32(Data(rows)))
    }

    @Test func aPNGPassesThrough() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        #expect(try ScreenImage.png(from: png, mimeType: "image/png") == png)
    }

    @Test func aTruncatedOrForeignScreenIsRefusedWithTheReason() {
        let truncated = ppm.prefix(ppm.count - 4)
        let error = #expect(throws: ScreenImageError.self) { try ScreenImage.png(from: truncated, mimeType: "image/x-portable-pixmap") }
        #expect(error?.description.contains("3x2 needs 18") == true)
        #expect(throws: ScreenImageError.self) { try ScreenImage.png(from: Data("GIF89a".utf8), mimeType: "image/gif") }
        #expect(throws: ScreenImageError.self) { try ScreenImage.png(from: Data("P6 3 x".utf8), mimeType: "image/x-portable-pixmap") }
    }
}
