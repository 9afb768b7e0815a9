internal import CLibXML2

/// An element of an ``XMLDocument``. Keeps its document alive.
public struct XMLElement {
    let node: xmlNodePtr
    /// The document this element belongs to.
    public let document: XMLDocument

    init(node: xmlNodePtr, document: XMLDocument) {
        self.node = node
        self.document = document
    }

    /// The element's local name, without a prefix.
    public var name: String { String(cString: node.pointee.name) }

    /// The namespace URI the element is in, if any.
    public var namespaceURI: String? { node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } } }

    /// The line the element started on, for documents that were parsed.
    public var line: Int { Int(xmlGetLineNo(node)) }

    /// The element's text: the concatenated text of all its descendants.
    public var text: String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { pxelab_xml_free(content) }
        return String(cString: content)
    }

    /// The value of an attribute without a namespace, or nil.
    public func attribute(_ name: String) -> String? {
        guard let value = xmlGetNoNsProp(node, name) else { return nil }
        defer { pxelab_xml_free(value) }
        return String(cString: value)
    }

    /// Sets (or replaces) an attribute. libxml2 escapes the value when serialising.
    public func setAttribute(_ name: String, _ value: String) {
        xmlSetProp(node, name, value)
    }

    /// The element children, in document order.
    public var children: [XMLElement] {
        var result: [XMLElement] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                result.append(XMLElement(node: current, document: document))
            }
            child = current.pointee.next
        }
        return result
    }

    /// The element children with a local name and, when given, a namespace URI.
    /// Without a namespace URI only children in no namespace match.
    public func children(named name: String, namespaceURI: String? = nil) -> [XMLElement] {
        children.filter { $0.name == name && $0.namespaceURI == namespaceURI }
    }

    /// The first element child with a local name (and namespace URI), or nil.
    public func child(named name: String, namespaceURI: String? = nil) -> XMLElement? {
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                let element = XMLElement(node: current, document: document)
                if element.name == name && element.namespaceURI == namespaceURI { return element }
            }
            child = current.pointee.next
        }
        return nil
    }

    /// Appends a child element, with optional text and attributes, in the given namespace
    /// (declared on this element or an ancestor) or in the parent's namespace by default.
    @discardableResult
    public func append(_ name: String, text: String? = nil, attributes: KeyValuePairs<String, String> = [:],
                       namespace: XMLNamespace? = nil) -> XMLElement {
        let ns = namespace?.pointer ?? node.pointee.ns
        // xmlNewTextChild escapes the text; xmlNewChild would read it as markup.
        let child = xmlNewTextChild(node, ns, name, text)!
        let element = XMLElement(node: child, document: document)
        for (key, value) in attributes { element.setAttribute(key, value) }
        return element
    }

    /// Declares a namespace on this element, for use by its descendants.
    public func declareNamespace(_ uri: String, prefix: String?) -> XMLNamespace {
        XMLNamespace(pointer: xmlNewNs(node, uri, prefix)!, document: document)
    }

    /// Appends a deep copy of an element from any document.
    @discardableResult
    public func appendCopy(of element: XMLElement) -> XMLElement {
        let copy = xmlDocCopyNode(element.node, document.pointer, 1)!
        xmlAddChild(node, copy)
        xmlReconciliateNs(document.pointer, copy)
        return XMLElement(node: copy, document: document)
    }

    /// The element and its descendants as text.
    public func serialized() -> String {
        LibXML2.serialize(declaration: false) { context in xmlSaveTree(context, node) }
    }
}

/// A namespace declared on an element of an ``XMLDocument``.
public struct XMLNamespace {
    let pointer: xmlNsPtr
    /// The document the declaration belongs to.
    public let document: XMLDocument

    /// The namespace URI.
    public var uri: String { String(cString: pointer.pointee.href) }
}
