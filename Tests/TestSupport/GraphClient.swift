import Foundation
import Testing

/// Microsoft's Graph SDKs for Python driving a lab's Graph door: `Clients/graph/lab_graph.py`
/// runs one step in the venv `make clients` made and prints what the SDK gave back as JSON.
public enum GraphClient {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Clients/graph/lab_graph.py").standardizedFileURL

    /// Runs one step against the endpoint at `base` with the lab's Graph `token` and returns the
    /// JSON it printed; a step that exits non-zero is a test failure with what it printed. The
    /// client is waited for on a thread of its own: the endpoint it talks to, in this process,
    /// needs the cooperative pool's few threads to answer it.
    public static func step(base: String, token: String, _ arguments: [String],
                            sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let output = makeTemporaryDirectory("pxelab-graph-sdk").appendingPathComponent("out.json")
        let python = Prerequisite.clients.appendingPathComponent("venv/bin/python").path
        let status = try await onThreadOfItsOwn {
            try runTool(python, [script.path] + arguments,
                        environment: ["PXELAB_GRAPH_BASE": base, "PXELAB_GRAPH_TOKEN": token], output: output)
        }
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(status == 0, "lab_graph.py \(arguments.joined(separator: " ")) exited \(status): \(text)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }
}
