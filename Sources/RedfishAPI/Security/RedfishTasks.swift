import Foundation
import Synchronization

/// The asynchronous operations the service started (a reset following the device to its end
/// state), as Redfish's TaskService shows them: each with a task monitor that answers 202 while
/// it runs and the operation's answer once it ended.
final class RedfishTasks: Sendable {
    struct Task: Sendable {
        let id: String
        let name: String
        var state: String = "Running"
        var status: String = "OK"
        var message: String?
        let start: Date
        var end: Date?
    }

    private struct State {
        var tasks: [Task] = []
        var next = 1
    }
    private let state = Mutex(State())
    /// The tasks kept (the oldest ended ones go first).
    static let kept = 100

    func start(_ name: String, at now: Date) -> Task {
        state.withLock { state in
            let task = Task(id: String(state.next), name: name, start: now)
            state.next += 1
            state.tasks.append(task)
            if state.tasks.count > Self.kept, let ended = state.tasks.firstIndex(where: { $0.end != nil }) { state.tasks.remove(at: ended) }
            return task
        }
    }

    func finish(_ id: String, at now: Date, failure: String?) {
        state.withLock { state in
            guard let index = state.tasks.firstIndex(where: { $0.id == id }) else { return }
            state.tasks[index].state = failure == nil ? "Completed" : "Exception"
            state.tasks[index].status = failure == nil ? "OK" : "Critical"
            state.tasks[index].message = failure
            state.tasks[index].end = now
        }
    }

    var all: [Task] { state.withLock { $0.tasks } }

    func task(_ id: String) -> Task? { state.withLock { $0.tasks.first { $0.id == id } } }
}
