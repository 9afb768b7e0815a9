internal import CLibXML2

/// An XML document owned by libxml2 (`xmlDocPtr`), freed with the last reference.
///
/// Documents are built with ``XMLElement/append(_:text:attributes:namespace:)`` and read by
/// walking elements; libxml2 does all escaping, parsing and serialisation. A document is not
/// thread-safe: use it from one task at a time.
public final class XMLDocument {
    let pointer: xmlDocPtr

    /// A new document whose root element has the given name and, optionally, a namespace
    /// declared on it.
    public init(root name: String, namespaceURI: String? = nil, prefix: String? = nil) {
        LibXML2.initialized
        pointer = xmlNewDoc("1.0")
        let node = xmlNewDocNode(pointer, nil, name, nil)!
        xmlDocSetRootElement(pointer, node)
        if let namespaceURI {
            let namespace = xmlNewNs(node, namespaceURI, prefix)
            xmlSetNs(node, namespace)
        }
    }

    /// Parses a document. Never touches the network and never expands external entities.
    ///
    /// - Parameter source: a file name or other label used in error messages.
    /// - Throws: ``XMLParseError`` with libxml2's message, line and column.
    public init(parsing text: String, source: String = "<memory>") throws(XMLParseError) {
        LibXML2.initialized
        guard let context = xmlNewParserCtxt() else {
            throw XMLParseError(source: source, line: 0, column: 0, message: "out of memory")
        }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOBLANKS.rawValue
                            | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed = text.utf8CString.withUnsafeBufferPointer { buffer in
            xmlCtxtReadMemory(context, buffer.baseAddress, Int32(buffer.count - 1), source, "UTF-8", options)
        }
        guard let parsed else {
            throw XMLParseError(lastErrorOf: context, source: source)
        }
        guard xmlDocGetRootElement(parsed) != nil else {
            xmlFreeDoc(parsed)
            throw XMLParseError(source: source, line: 1, column: 1, message: "the document has no root element")
        }
        pointer = parsed
    }

    deinit {
        xmlFreeDoc(pointer)
    }

    /// The root element.
    public var root: XMLElement {
        XMLElement(node: xmlDocGetRootElement(pointer)!, document: self)
    }

    /// The document as text, indented, without an XML declaration unless asked for.
    public func serialized(declaration: Bool = false) -> String {
        LibXML2.serialize(declaration: declaration) { context in xmlSaveDoc(context, pointer) }
    }

    /// The document as HTML, after `<!DOCTYPE html>`, by libxml2's HTML serialiser: void elements
    /// (`br`, `meta`) have no end tag, other empty elements do, and the text of `script` and
    /// `style` elements is written as it is.
    public func serializedAsHTML() -> String {
        if xmlGetIntSubset(pointer) == nil { xmlCreateIntSubset(pointer, "html", nil, nil) }
        return LibXML2.serialize(declaration: false, options: Int32(XML_SAVE_AS_HTML.rawValue)) { context in
            xmlSaveDoc(context, pointer)
        }
    }
}

/// libxml2's one-time, process-wide initialisation, and serialisation through `xmlSave`.
enum LibXML2 {
    static let initialized: Void = {
        xmlInitParser()
    }()

    static func serialize(declaration: Bool, options extra: Int32 = 0, _ write: (OpaquePointer) -> Void) -> String {
        let buffer = xmlBufferCreate()!
        defer { xmlBufferFree(buffer) }
        var options = Int32(XML_SAVE_FORMAT.rawValue) | extra
        if !declaration { options |= Int32(XML_SAVE_NO_DECL.rawValue) }
        let context = xmlSaveToBuffer(buffer, "UTF-8", options)!
        write(context)
        xmlSaveClose(context)
        return String(cString: xmlBufferContent(buffer))
    }
}
