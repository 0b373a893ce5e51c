#if canImport(Glibc)
import Glibc
#endif
import CMnl
import TandemAddress

extension Rtnetlink: RouteControl {
    public func routes(protocolNumber: UInt8, table: UInt32) throws -> [KernelRoute] {
        try dump(UInt16(RTM_GETROUTE), what: "routes", build: RtnlMessage.routeDump) { nlh in
            guard let r = RtnlMessage.parseRoute(nlh), r.protocolNumber == protocolNumber, r.table == table else { return nil }
            return r
        }
    }

    public func addRoute(_ route: KernelRoute) throws {
        try request("RTM_NEWROUTE", context: "add \(route)") { seq, buffer in
            RtnlMessage.route(UInt16(RTM_NEWROUTE), route, sequence: seq, into: buffer)
        }
    }

    public func deleteRoute(_ route: KernelRoute) throws {
        try request("RTM_DELROUTE", context: "delete \(route)") { seq, buffer in
            RtnlMessage.route(UInt16(RTM_DELROUTE), route, sequence: seq, into: buffer)
        }
    }
}
