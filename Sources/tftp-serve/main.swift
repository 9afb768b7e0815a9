// Serves a folder's files over TFTP, each read into memory once at start (as the endpoint keeps
// its kernel and initrd), until killed. Prints the bound port.
//
//   tftp-serve FOLDER [PORT [MAXIMUM_BLKSIZE]]
import Foundation
import NIOCore
import TFTP

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: tftp-serve FOLDER [PORT [MAXIMUM_BLKSIZE]]\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1], isDirectory: true)
var files: [String: ByteBuffer] = [:]
for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
    files[name] = ByteBuffer(bytes: try Data(contentsOf: folder.appendingPathComponent(name)))
}
var configuration = TFTPServer.Configuration()
if arguments.count > 3, let size = Int(arguments[3]) { configuration.maximumBlockSize = size }
let served = files
let server = try await TFTPServer.start(port: arguments.count > 2 ? Int(arguments[2]) ?? 0 : 0, configuration: configuration) { request in
    served[request.path].map(TFTPAnswer.file) ?? .notFound("\(request.path): no such file")
}
FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
while true { try await Task.sleep(for: .seconds(3600)) }
