import Testing
import LibXML

@Suite("libxml2 documents")
struct XMLDocumentTests {
    @Test func buildsEscapesAndReadsBack() throws {
        let document = XMLDocument(root: "device")
        let root = document.root
        root.setAttribute("note", "a \"quoted\" & <tagged> value")
        root.append("serial", text: "A&B<C>'D'")
        root.append("empty")
        let text = document.serialized()
        #expect(text.contains("&amp;"))
        #expect(!text.contains("A&B<C>"))

        let parsed = try XMLDocument(parsing: text)
        #expect(parsed.root.attribute("note") == "a \"quoted\" & <tagged> value")
        #expect(parsed.root.child(named: "serial")?.text == "A&B<C>'D'")
        #expect(parsed.root.children.map(\.name) == ["serial", "empty"])
        #expect(parsed.root.attribute("missing") == nil)
    }

    @Test func serializesAsHTML() {
        let document = XMLDocument(root: "html")
        let head = document.root.append("head")
        head.append("style", text: "td > b { color: red }")
        let body = document.root.append("body")
        body.append("div", attributes: ["class": "bar"])
        body.append("br")
        body.append("p", text: "<script>alert(1)</script> & more")
        body.append("script", text: "if (a < b && c) { go() }")
        let html = document.serializedAsHTML()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // An empty div keeps its end tag (a self-closed <div/> would swallow what follows).
        #expect(html.contains("<div class=\"bar\"></div>"))
        #expect(html.contains("<br>") && !html.contains("</br>") && !html.contains("<br/>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"))
        #expect(html.contains("if (a < b && c) { go() }"))
        #expect(html.contains("td > b { color: red }"))
    }

    @Test func namespacesAreDeclaredAndMatched() throws {
        let document = XMLDocument(root: "domain")
        let ns = document.root.declareNamespace("https://example.test/ns", prefix: "ex")
        let info = document.root.append("info", namespace: ns)
        info.append("owner", text: "qa")  // inherits the parent's namespace
        document.root.append("plain")
        let parsed = try XMLDocument(parsing: document.serialized())
        #expect(parsed.root.child(named: "info") == nil)
        let found = try #require(parsed.root.child(named: "info", namespaceURI: "https://example.test/ns"))
        #expect(found.child(named: "owner", namespaceURI: "https://example.test/ns")?.text == "qa")
        #expect(parsed.root.child(named: "plain")?.namespaceURI == nil)
    }

    @Test func parseErrorsCarryLineAndColumn() {
        let error = #expect(throws: XMLParseError.self) {
            try XMLDocument(parsing: "<a>\n  <b></c>\n</a>", source: "broken.xml")
        }
        #expect(error?.source == "broken.xml")
        #expect(error?.line == 2)
        #expect((error?.column ?? 0) > 0)
        #expect(error?.message.contains("mismatch") == true)
    }

    @Test func externalEntitiesAreNotExpanded() throws {
        let hostile = """
        <?xml version="1.0"?>
        <!DOCTYPE a [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
        <a>&secret;</a>
        """
        let document = try XMLDocument(parsing: hostile)
        #expect(document.root.text.isEmpty)
    }

    @Test func copiesElementsBetweenDocuments() throws {
        let source = try XMLDocument(parsing: "<domain><name>x</name></domain>")
        let target = XMLDocument(root: "node")
        target.root.appendCopy(of: source.root)
        #expect(target.serialized().contains("<domain>"))
        #expect(target.root.child(named: "domain")?.child(named: "name")?.text == "x")
    }

    @Test func emptyInputIsAnError() {
        #expect(throws: XMLParseError.self) { try XMLDocument(parsing: "") }
    }
}
