import FuzzInput
import TandemConfigSync

/// XML-RPC bodies as the sync receiver and the pushing primary decode them (a peer, or
/// anything that reaches the GUI port, sends these): a method call and a method response.
/// Either decodes or throws an `XMLRPCError`; what decodes must come back unchanged through
/// the codec's own encoding (the push re-encodes what it built, the receiver answers with it).
func fuzzXMLRPC(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let call = try? XMLRPCCodec.decodeCall(bytes) {
        let again = try? XMLRPCCodec.decodeCall(XMLRPCCodec.encodeCall(call))
        fuzzCheck(again.map { same($0.params, call.params) && $0.methodName == call.methodName } ?? false,
                  "call does not survive encode → decode")
    }
    if let response = try? XMLRPCCodec.decodeResponse(bytes) {
        let again = try? XMLRPCCodec.decodeResponse(XMLRPCCodec.encodeResponse(response))
        let ok: Bool
        switch (response, again) {
        case (.value(let a), .value(let b)?): ok = same([a], [b])
        case (.fault(let c1, let m1), .fault(let c2, let m2)?): ok = c1 == c2 && m1 == m2
        default: ok = false
        }
        fuzzCheck(ok, "response does not survive encode → decode")
    }
}

/// Equality with NaN equal to itself (a `<double>` may decode to NaN, which is not `==`).
private func same(_ a: [XMLRPCValue], _ b: [XMLRPCValue]) -> Bool {
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) {
        switch (x, y) {
        case (.double(let p), .double(let q)): if !(p == q || (p.isNaN && q.isNaN)) { return false }
        case (.array(let p), .array(let q)): if !same(p, q) { return false }
        case (.struct(let p), .struct(let q)):
            if p.map(\.name) != q.map(\.name) || !same(p.map(\.value), q.map(\.value)) { return false }
        default: if x != y { return false }
        }
    }
    return true
}
