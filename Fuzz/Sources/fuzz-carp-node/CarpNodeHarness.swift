import FuzzInput
import TandemAddress
import TandemCARP

/// A CARP node with one or two groups whose configuration the input chooses (advbase
/// 0–255, advskew 0–254, preempt, sub-second), fed a sequence of events on a fake clock:
/// advertisements signed with the group's key but with fuzzer-chosen advbase, advskew,
/// demote, vhid and counter (an on-link attacker can replay a captured advertisement with
/// these rewritten: they are outside the HMAC, FreeBSD `sys/netinet/ip_carp.c`
/// carp_hmac_prepare), raw packets, link changes, timer wake-ups, maintenance, demotion,
/// send results and shutdown. Nothing may trap, and what the node does must stay sane.
func fuzzCarpNode(_ data: UnsafePointer<UInt8>, _ size: Int) {
    var input = FuzzInput(data, size)
    let key = CarpKey(password: "fuzz")
    var configs: [CarpGroupConfig] = []
    for index in 0..<(1 + input.below(2)) {
        let vip: IPNetwork = index == 0 ? network("192.0.2.10/24") : network("2001:db8::10/64")
        let subsecond = input.bool()
        guard let config = try? CarpGroupConfig(
            vhid: UInt8(1 + index), interface: index == 0 ? "lan" : "wan", advbase: input.u8(),
            advskew: input.u8() % (CarpTiming.maximumConfiguredSkew + 1), key: key, addresses: [vip],
            preempt: input.bool(), allowsSubsecond: subsecond)
        else { continue }
        configs.append(config)
    }
    guard !configs.isEmpty else { return }
    var node = CarpNode<FakeInstant>(groups: configs, maintenance: input.bool(), initialCounter: { _ in 1000 })
    var now = FakeInstant.zero
    var wakeUps: [CarpGroupID: FakeInstant] = [:]
    let ids = configs.map { CarpGroupID(interface: $0.interface, vhid: $0.vhid) }.sorted()
    var captured: [ReceivedCarpPacket] = []

    for id in Set(ids.map(\.interface)).sorted() { check(node.handle(.link(interface: id, up: true), at: now), now, &wakeUps) }

    var steps = 0
    while !input.isAtEnd, steps < 64 {
        steps += 1
        let op = input.u8()
        // Time moves forward by 0–255 steps of 1/256 s or of whole seconds.
        let delta = input.u8()
        now = now.advanced(by: op & 0x80 == 0 ? .nanoseconds(Int64(delta) * 3_906_250) : .seconds(Int(delta)))
        let actions: [(CarpGroupID, CarpAction<FakeInstant>)]
        switch op & 0x0f {
        case 0, 1, 2:
            // A signed advertisement with chosen header fields, from the peer.
            let config = configs[input.below(configs.count)]
            let vhid = input.bool() ? config.vhid : input.u8()
            let counter = input.bool() ? UInt64(input.u16()) : input.u64()
            let ad = CarpAdvertisement.signed(vhid: vhid, advbase: input.u8(), advskew: input.u8(), demote: input.u8(),
                                              counter: counter, key: key, addresses: config.vipAddresses)
            let source: IPAddress = config.vipAddresses[0].family == .ipv4
                ? .v4(IPv4Address(192, 0, 2, 2)) : .v6(IPv6Address("2001:db8::2")!)
            let packet = ReceivedCarpPacket(interface: input.bool() ? config.interface : "dmz", source: source,
                                            hopLimit: input.u8() < 240 ? 255 : 64, payload: ad.encoded())
            captured.append(packet)
            actions = node.handle(.packet(packet), at: now)
        case 3:
            // Raw bytes as an advertisement.
            actions = node.handle(.packet(ReceivedCarpPacket(interface: "lan", source: .v4(IPv4Address(192, 0, 2, 3)),
                                                             hopLimit: 255, payload: input.blob(maximum: 40))), at: now)
        case 4:
            // Replay of something seen before, later.
            guard !captured.isEmpty else { continue }
            actions = node.handle(.packet(captured[input.below(captured.count)]), at: now)
        case 5, 6, 7:
            // The timer the node asked for (or a spurious one).
            let id = ids[input.below(ids.count)]
            if let due = wakeUps[id], input.bool() { now = max(now, due) }
            actions = node.handle(.wakeUp(id), at: now)
        case 8:
            actions = node.handle(.link(interface: ids[input.below(ids.count)].interface, up: input.bool()), at: now)
        case 9:
            actions = node.handle(.setMaintenance(input.bool()), at: now)
        case 10:
            actions = node.handle(.setDemotion(source: input.bool() ? "a" : "b", value: Int(Int16(bitPattern: input.u16()))), at: now)
        case 11:
            actions = node.handle(.sendResult(ids[input.below(ids.count)], succeeded: input.bool()), at: now)
        case 12:
            actions = node.handle(.setOwnAddresses(input.bool() ? [.v4(IPv4Address(192, 0, 2, 2))] : []), at: now)
        case 13:
            actions = node.handle(.shutdown, at: now)
        default:
            continue
        }
        check(actions, now, &wakeUps)
        for (id, machine) in node.machines {
            fuzzCheck(machine.transitions.count <= CarpMachine<FakeInstant>.transitionHistoryLimit,
                      "\(id): transition history grew to \(machine.transitions.count)")
        }
    }
}

/// What every batch of actions must satisfy: timers in the future (or now), advertisements
/// signed for the group that sends them, a skew that is either the bow-out 255/255 or at
/// most the largest a node sends.
private func check(_ actions: [(CarpGroupID, CarpAction<FakeInstant>)], _ now: FakeInstant,
                   _ wakeUps: inout [CarpGroupID: FakeInstant]) {
    for (id, action) in actions {
        switch action {
        case .wakeUp(let at):
            fuzzCheck(!(at < now), "\(id): timer armed in the past")
            wakeUps[id] = at
        case .send(let ad, let families):
            fuzzCheck(ad.vhid == id.vhid, "\(id): sent vhid \(ad.vhid)")
            fuzzCheck(!families.isEmpty, "\(id): send to no family")
            let bowOut = ad.advbase == CarpTiming.bowOutAdvbase && ad.advskew == CarpTiming.bowOutAdvskew
            fuzzCheck(bowOut || ad.advskew <= CarpTiming.maximumSentSkew, "\(id): sent advskew \(ad.advskew)")
            fuzzCheck(ad.encoded().count == CarpAdvertisement.size, "\(id): advertisement size")
        default:
            break
        }
    }
}

private func network(_ text: String) -> IPNetwork { IPNetwork(text)! }
