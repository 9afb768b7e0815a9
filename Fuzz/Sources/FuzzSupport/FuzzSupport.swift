// What every fuzzer shares: the input as bytes or text, and property checks that stop the run
// with a message (libFuzzer saves the input that failed as a crash reproducer).
import Foundation

/// The fuzzer's input as bytes.
public func fuzzBytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
    Array(UnsafeRawBufferPointer(start: start, count: count))
}

/// The fuzzer's input as text: UTF-8, invalid sequences replaced (what a `String` read from a
/// file or a request can hold).
public func fuzzText(_ start: UnsafeRawPointer, _ count: Int) -> String {
    String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
}

/// Checks a property the code under test guarantees; a violation is a finding. Unlike `assert`,
/// it is checked in release builds too.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    guard !condition() else { return }
    fatalError("property violated: \(message())", file: file, line: line)
}

/// Whether every element is different from the others.
public func allDistinct<Element: Hashable>(_ elements: some Sequence<Element>) -> Bool {
    var seen = Set<Element>()
    return elements.allSatisfy { seen.insert($0).inserted }
}

/// Encodes a value as JSON and decodes it again.
public func jsonRoundTrip<Value: Codable>(_ value: Value) throws -> Value {
    try JSONDecoder().decode(Value.self, from: JSONEncoder().encode(value))
}
