import Foundation
internal import CLibvirt

/// A libvirt data stream (`virStreamPtr`), used here to receive screenshots.
final class Stream {
    let handle: OpaquePointer
    private var finished = false

    init(connection: Connection) throws(LibvirtError) {
        handle = try unwrap(virStreamNew(connection.handle, 0), "virStreamNew")
    }

    deinit {
        if !finished { virStreamAbort(handle) }
        virStreamFree(handle)
    }

    /// Receives everything the stream carries into a file, then finishes the stream.
    func receiveAll(into file: URL) throws {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file.path])
        }
        defer { close(descriptor) }
        var target = descriptor
        try check(virStreamRecvAll(handle, writeChunk, &target), "virStreamRecvAll")
        try check(virStreamFinish(handle), "virStreamFinish")
        finished = true
    }
}

/// `virStreamSinkFunc`: writes one received chunk to the file descriptor passed as `opaque`.
private func writeChunk(_ stream: OpaquePointer?, _ data: UnsafePointer<CChar>?, _ count: Int,
                        _ opaque: UnsafeMutableRawPointer?) -> Int32 {
    guard let data, let descriptor = opaque?.load(as: Int32.self) else { return -1 }
    var written = 0
    while written < count {
        let result = write(descriptor, data + written, count - written)
        if result < 0 {
            if errno == EINTR { continue }
            return -1
        }
        written += result
    }
    return Int32(count)
}
