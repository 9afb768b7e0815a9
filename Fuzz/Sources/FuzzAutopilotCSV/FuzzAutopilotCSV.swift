// Fuzzes the hardware-hash CSV reader: `AutopilotCSV.read(_:source:rules:)` under each `Rules`
// case, on the input as a file's bytes. Refusals are expected; crashes are findings, and so are
// violations of what the reader promises:
// - a refused file names at least one problem, each with a 1-based line;
// - accepted rows are in file order, after the header, with a serial and, unless a partner tuple
//   row, a hash; under Intune's rules serials are unique and hashes padded;
// - `.fieldCollection` only relaxes `.intune`: a file Intune's rules accept, it accepts alike.
import Foundation
import Autopilot
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAutopilotCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(fuzzBytes(start, count))
    let intune = read(data, rules: .intune)
    let field = read(data, rules: .fieldCollection)
    if case .success(let rows) = intune {
        require(field == intune, "a file accepted under .intune reads differently under .fieldCollection")
        require(allDistinct(rows.map(\.serialNumber)), "an accepted file has a serial twice under .intune")
        require(rows.allSatisfy { $0.hardwareHash.map(Base64Padding.isPadded) ?? true },
                "an accepted row has an unpadded hash under .intune")
        require(rows.count <= AutopilotCSV.maximumRows, "an accepted file has more rows than Intune imports")
    }
    return 0
}

private func read(_ data: Data, rules: AutopilotCSV.Rules) -> Result<[CSVDevice], CSVError> {
    do {
        let rows = try AutopilotCSV.read(data, source: "fuzz.csv", rules: rules)
        require(!rows.isEmpty, "an accepted file has no rows")
        require(zip(rows, rows.dropFirst()).allSatisfy { $0.line < $1.line } && rows.allSatisfy { $0.line >= 2 },
                "accepted rows are not in file order after the header")
        require(rows.allSatisfy { !$0.serialNumber.isEmpty }, "an accepted row has no serial")
        require(rows.allSatisfy { $0.hardwareHash != nil || ($0.manufacturer != nil && $0.model != nil) },
                "an accepted row has neither a hash nor a manufacturer and model")
        return .success(rows)
    } catch {
        require(!error.problems.isEmpty, "a refused file names no problem")
        require(error.problems.allSatisfy { $0.line >= 1 }, "a problem is on line 0 or before")
        _ = error.description
        return .failure(CSVError(problems: error.problems))
    }
}

/// A refusal, comparable.
private struct CSVError: Error, Equatable {
    let problems: [CSVProblem]
}
