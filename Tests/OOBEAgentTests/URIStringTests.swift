import Foundation
import Testing
@testable import OOBEAgent

@Suite("iPXE's uristring formatting")
struct URIStringTests {
    @Test func everythingButUnreservedCharactersIsPercentEncoded() {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
        let samples = ["0F300001263", "Microsoft Corporation", "a+b/c=d&e?f#g%h", "Zürich", "東京 🙂", "", "~._-",
                       "T0FBAAEAHAAAAAoAIhEAAAoA+/==", "line\nbreak\u{0}"]
        for sample in samples {
            #expect(DeviceBoot.uriString(sample) == sample.addingPercentEncoding(withAllowedCharacters: unreserved), "\(sample)")
        }
        #expect(DeviceBoot.uriString("a b") == "a%20b")
    }
}
