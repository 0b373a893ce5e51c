#if canImport(Glibc)
import Glibc
#endif
import TandemStateSync

/// Batched requests: many ctnetlink messages per datagram, the kernel answering each in
/// turn. A bulk resync (state-sync.md §6.1) mostly meets entries that already exist, so the
/// create-or-update decision is batched too: one round of creates, one of GETs for those
/// that exist, one of updates (or delete + create where the NAT binding differs).
extension ConntrackKernelTable {
    private typealias Outcome = Result<ConntrackApplyOutcome, NetlinkError>

    /// Create-or-update for many flows; the result for each, in order.
    public func apply(_ flows: [FlowState]) throws(NetlinkError) -> [Result<ConntrackApplyOutcome, NetlinkError>] {
        var results = [Outcome?](repeating: nil, count: flows.count)
        func settle(_ i: Int, _ code: Int32, _ success: ConntrackApplyOutcome, _ operation: String) {
            results[i] = code == 0 ? .success(success)
                : .failure(NetlinkError(operation, errno: code, context: flows[i].conntrackDescription))
        }

        let created = try create(Array(flows.indices), of: flows)
        var existing: [Int] = []
        for (i, code) in created {
            if code == EEXIST { existing.append(i) } else { settle(i, code, .created, "ctnetlink create") }
        }
        guard !existing.isEmpty else { return results.map { $0! } }

        // What the kernel holds for those, to tell "same binding" from "different binding".
        var current: [Int: FlowState] = [:]
        let got = try perform(existing, operation: "ctnetlink get") { i, seq, at throws(NetlinkError) in
            let object = try ConntrackObject(flow: Self.lookupFlow(flows[i].key), for: .lookup)
            return try ConntrackMessage.write(at: at, kind: .get, flags: ConntrackMessage.request | ConntrackMessage.ack,
                                              sequence: seq, family: Self.family(flows[i].family), object: object)
        } onMessage: { i, h, datagram in
            if case .flow(let f) = ConntrackMessage.flow(h, in: datagram) { current[i] = f }
        }
        var sameBinding: [Int] = []
        var rebind: [Int] = []
        var vanished: [Int] = []
        for i in existing {
            switch (got[i] ?? EPROTO, current[i]) {
            case (0, let f?) where f.reply == ConntrackInjection.expectedReply(of: flows[i]): sameBinding.append(i)
            case (0, _?): rebind.append(i)
            case (ENOENT, _), (0, nil): vanished.append(i)
            case (let code, _): settle(i, code, .updated, "ctnetlink get")
            }
        }

        var updated = try update(sameBinding, of: flows, includeStatus: true)
        // EBUSY: the kernel's entry is further along (it has SEEN_REPLY/ASSURED the update
        // would clear); keep its status, update the rest.
        let busy = updated.filter { $0.value == EBUSY }.map(\.key)
        for (i, code) in try update(busy, of: flows, includeStatus: false) { updated[i] = code }
        for (i, code) in updated {
            if code == ENOENT { vanished.append(i) } else { settle(i, code, .updated, "ctnetlink update") }
        }

        // NAT cannot change on an existing entry: delete and create with the new binding.
        let deleted = try delete(rebind, of: flows)
        for (i, code) in deleted where code != 0 && code != ENOENT { settle(i, code, .replaced, "ctnetlink delete") }
        let again = rebind.filter { deleted[$0] == 0 || deleted[$0] == ENOENT } + vanished
        for (i, code) in try create(again, of: flows) {
            settle(i, code, rebind.contains(i) ? .replaced : .created, "ctnetlink create")
        }
        return results.map { $0 ?? .failure(NetlinkError("ctnetlink apply", errno: EPROTO)) }
    }

    /// Deletes many entries; returns how many existed.
    @discardableResult
    public func delete(_ keys: [FlowKey]) throws(NetlinkError) -> Int {
        let flows = keys.map(Self.lookupFlow)
        var deleted = 0
        for (i, code) in try delete(Array(flows.indices), of: flows) {
            switch code {
            case 0: deleted += 1
            case ENOENT: break
            default: throw NetlinkError("ctnetlink delete", errno: code, context: flows[i].conntrackDescription)
            }
        }
        return deleted
    }

    private func create(_ indices: [Int], of flows: [FlowState]) throws(NetlinkError) -> [Int: Int32] {
        let flags = ConntrackMessage.request | ConntrackMessage.ack | ConntrackMessage.create | ConntrackMessage.exclusive
        return try perform(indices, operation: "ctnetlink create") { i, seq, at throws(NetlinkError) in
            try ConntrackMessage.writeCreate(at: at, flags: flags, sequence: seq,
                                             flow: ConntrackInjection.forCreation(flows[i]))
        }
    }

    private func update(_ indices: [Int], of flows: [FlowState], includeStatus: Bool) throws(NetlinkError) -> [Int: Int32] {
        try perform(indices, operation: "ctnetlink update") { i, seq, at throws(NetlinkError) in
            let object = try ConntrackObject(flow: flows[i], for: .update(includeStatus: includeStatus))
            return try ConntrackMessage.write(at: at, kind: .new, flags: ConntrackMessage.request | ConntrackMessage.ack,
                                              sequence: seq, family: Self.family(flows[i].family), object: object)
        }
    }

    private func delete(_ indices: [Int], of flows: [FlowState]) throws(NetlinkError) -> [Int: Int32] {
        try perform(indices, operation: "ctnetlink delete") { i, seq, at throws(NetlinkError) in
            let object = try ConntrackObject(flow: Self.lookupFlow(flows[i].key), for: .lookup)
            return try ConntrackMessage.write(at: at, kind: .delete, flags: ConntrackMessage.request | ConntrackMessage.ack,
                                              sequence: seq, family: Self.family(flows[i].family), object: object)
        }
    }
}
