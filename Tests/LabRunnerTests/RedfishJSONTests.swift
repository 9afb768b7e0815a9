import Foundation
import Testing
@testable import RedfishAPI

/// The service's own JSON writer against Foundation's reader: what it writes reads back as the
/// object it was given, in key order, compact and escaped.
@Suite("the Redfish JSON writer")
struct RedfishJSONTests {
    @Test func writesCompactSortedJSONThatReadsBackTheSame() throws {
        let object: [String: Any] = [
            "Name": "quote \" backslash \\ slash / tab \t bell \u{07} é ✓",
            "Count": 4, "Negative": -17, "GiB": 4.0, "Half": 0.5, "Small": 1.25e-7,
            "On": true, "Off": false, "Nothing": NSNull(),
            "Members": [["@odata.id": "/redfish/v1/Systems/a"], ["@odata.id": "/redfish/v1/Systems/b"]],
            "Values": ["On", "ForceOff"], "Empty": [String: Any](), "None": [Any](),
        ]
        let data = RedfishJSON.data(object)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix(#"{"Count":4,"Empty":{},"GiB":4,"Half":0.5,"Members":[{"@odata.id":"/redfish/v1/Systems/a"}"#))
        #expect(text.contains(#""Name":"quote \" backslash \\ slash / tab \t bell \u0007 é ✓""#))
        #expect(text.contains(#""Nothing":null"#) && text.contains(#""Off":false"#) && text.contains(#""On":true"#))
        let read = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(read["Name"] as? String == object["Name"] as? String)
        #expect(read["Small"] as? Double == 1.25e-7)
        #expect(read["Negative"] as? Int == -17)
        #expect((read["Values"] as? [String]) == ["On", "ForceOff"])
        #expect(Set(read.keys) == Set(object.keys))
    }

    @Test func aNumberParsedFromARequestIsWrittenAsItsKind() throws {
        // JSONSerialization's numbers cast to Bool, Int and Double alike: the writer hands them on.
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(#"{"a":1,"b":true,"c":2.5}"#.utf8)) as? [String: Any])
        #expect(String(decoding: RedfishJSON.data(["Echo": parsed]), as: UTF8.self) == #"{"Echo":{"a":1,"b":true,"c":2.5}}"#)
    }
}
