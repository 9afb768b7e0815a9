import Foundation

/// Adds glibc's `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later) to `actions`:
/// the child closes every descriptor from `lowest` up. Swift's Glibc module leaves it out (it
/// is a GNU extension), so it is looked up by name. SwiftNIO's listening sockets lack
/// close-on-exec: a child that kept them would hold a test's port open after the test let go.
func addCloseFrom(_ lowest: Int32, to actions: inout posix_spawn_file_actions_t) throws {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
        throw ToolRunError(path: "posix_spawn_file_actions_addclosefrom_np", code: ENOSYS)
    }
    let status = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, lowest)
    guard status == 0 else { throw ToolRunError(path: "posix_spawn_file_actions_addclosefrom_np", code: status) }
}
