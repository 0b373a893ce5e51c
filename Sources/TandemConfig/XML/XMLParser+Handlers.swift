import CLibXML2

/// The C callbacks: each finds its `TreeBuilder` through the parser context's `_private`.
private func builder(_ ctx: UnsafeMutableRawPointer?) -> TreeBuilder? {
    guard let ctx else { return nil }
    let ctxt = ctx.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let raw = ctxt.pointee._private else { return nil }
    return Unmanaged<TreeBuilder>.fromOpaque(raw).takeUnretainedValue()
}

private func string(_ p: UnsafePointer<xmlChar>?) -> String {
    guard let p else { return "" }
    return String(cString: p)
}

private func qualified(_ local: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?) -> String {
    let name = string(local)
    guard let prefix else { return name }
    return string(prefix) + ":" + name
}

extension TreeBuilder {
    func installHandlers(_ ctxt: xmlParserCtxtPtr) {
        guard let sax = ctxt.pointee.sax else { return }
        // Any DOCTYPE is refused before its internal subset is parsed: config.xml never has
        // one, and entity declarations are how billion-laughs and XXE attacks start.
        sax.pointee.internalSubset = { ctx, name, _, _ in
            builder(ctx)?.fail("a DOCTYPE declaration is not allowed in config.xml (entities and DTDs are refused)")
        }
        sax.pointee.externalSubset = { ctx, _, _, _ in
            builder(ctx)?.fail("an external DTD is not allowed in config.xml")
        }
        sax.pointee.entityDecl = { ctx, name, _, _, _, _ in
            builder(ctx)?.fail("entity declaration '\(string(name))' is not allowed in config.xml")
        }
        sax.pointee.resolveEntity = { ctx, _, _ in
            builder(ctx)?.fail("external entities are not allowed in config.xml")
            return nil
        }
        sax.pointee.reference = { ctx, name in
            builder(ctx)?.fail("entity reference '&\(string(name));' is not allowed in config.xml")
        }
        sax.pointee.startElementNs = { ctx, localname, prefix, _, nbNamespaces, namespaces, nbAttributes, _, attributes in
            guard let b = builder(ctx) else { return }
            var attrs: [XMLAttribute] = []
            if let namespaces {
                for i in 0..<Int(nbNamespaces) {
                    let p = namespaces[2 * i], uri = namespaces[2 * i + 1]
                    attrs.append(XMLAttribute(name: p == nil ? "xmlns" : "xmlns:" + string(p), value: string(uri)))
                }
            }
            if let attributes {
                for i in 0..<Int(nbAttributes) {
                    let name = qualified(attributes[5 * i], attributes[5 * i + 1])
                    var value = ""
                    if let start = attributes[5 * i + 3], let end = attributes[5 * i + 4] {
                        value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                    }
                    attrs.append(XMLAttribute(name: name, value: value))
                }
            }
            b.startElement(name: qualified(localname, prefix), attributes: attrs)
        }
        sax.pointee.endElementNs = { ctx, _, _, _ in
            builder(ctx)?.endElement()
        }
        let characters: charactersSAXFunc = { ctx, ch, len in
            guard let ch, len > 0 else { return }
            builder(ctx)?.characters(UnsafeBufferPointer(start: ch, count: Int(len)))
        }
        sax.pointee.characters = characters
        sax.pointee.ignorableWhitespace = characters
        sax.pointee.cdataBlock = { ctx, ch, len in
            guard let ch else { return }
            builder(ctx)?.cdata(UnsafeBufferPointer(start: ch, count: Int(max(len, 0))))
        }
        sax.pointee.comment = { ctx, text in
            builder(ctx)?.comment(string(text))
        }
        sax.pointee.processingInstruction = { ctx, target, data in
            builder(ctx)?.processingInstruction(target: string(target), data: string(data))
        }
        // Structured errors for this context only (libxml2 2.9: `sax->serror`, reached when
        // `sax->initialized == XML_SAX2_MAGIC`, which xmlNewParserCtxt sets).
        sax.pointee.serror = { ctx, error in
            guard let error, let b = builder(ctx) else { return }
            let e = error.pointee
            guard e.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            var message = string(e.message.map { UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self) })
            while message.last?.isWhitespace == true { message.removeLast() }
            b.libxmlError(line: Int(e.line), column: Int(e.int2), message: message)
        }
    }
}
