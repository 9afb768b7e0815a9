// Fuzzes the dynamic membership rule parser: `MembershipRule(_:)` on the input as text, and
// matching for the rules that parse. Parse errors are expected; crashes are findings, and so are
// violations of what the parser promises:
// - an error carries the rule and a 1-based column inside it or just past its end;
// - a rule is its text: `description` parses again to an equal rule, and so does its JSON
//   (a rule is stored as its text);
// - matching a device is a plain answer, the same for the rule read back.
import Foundation
import Autopilot
import FuzzSupport

/// Devices as Entra sees Autopilot devices; short values, so that matching stays quick.
private let devices = [
    DeviceProperties(physicalIds: ["[ZTDId]:0f1e2d3c", "[OrderID]:Sales", "[PurchaseOrderId]:PO-77"],
                     scalars: [.deviceModel: "Latitude 7440", .deviceManufacturer: "Dell Inc.",
                               .enrollmentProfileName: "Kiosk", .deviceOSType: "Windows"]),
    DeviceProperties(physicalIds: []),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMembershipRule(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = fuzzText(start, count)
    let rule: MembershipRule
    do {
        rule = try MembershipRule(text)
    } catch {
        require(error.rule == text, "the error carries another rule than the one parsed")
        require((1...(text.count + 1)).contains(error.column),
                "column \(error.column) is outside the rule (\(text.count) characters)")
        _ = error.snippet
        _ = error.description
        return 0
    }
    let again: MembershipRule
    do { again = try MembershipRule(rule.description) } catch {
        fatalError("a rule's description does not parse again: \(error)")
    }
    require(again == rule, "a rule's description parses to another rule")
    let decoded: MembershipRule
    do { decoded = try jsonRoundTrip(rule) } catch {
        fatalError("a rule's JSON does not decode: \(error)")
    }
    require(decoded == rule, "a rule's JSON decodes to another rule")
    for device in devices {
        require(rule.matches(device) == again.matches(device), "the rule read back matches differently")
    }
    return 0
}
