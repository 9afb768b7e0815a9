/// A request's filename made into a path the provider can look up, or the reason it is refused.
///
/// Separators are `/` and `\` (Windows-minded PXE clients send `\boot\x.efi`); empty and `.`
/// segments go, a leading `/` with them, so `/grub//x.cfg` and `grub/x.cfg` are one file. A `..`
/// segment is refused before the provider sees the name: whatever the provider does with paths,
/// a request never climbs out of what it serves.
enum RequestPath {
    case path(String)
    case refused(String)

    init(filename: [UInt8]) {
        // Control characters (NUL cannot occur: it ends the field) and bytes that are not UTF-8.
        guard !filename.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            self = .refused("control characters in the filename")
            return
        }
        let text = String(decoding: filename, as: UTF8.self)
        guard text.utf8.elementsEqual(filename) else {
            self = .refused("the filename is not UTF-8")
            return
        }
        let segments = text.split(whereSeparator: { $0 == "/" || $0 == "\\" }).filter { $0 != "." }
        guard !segments.contains("..") else {
            self = .refused("'..' in the filename")
            return
        }
        guard !segments.isEmpty else {
            self = .refused("no file named")
            return
        }
        self = .path(segments.joined(separator: "/"))
    }
}
