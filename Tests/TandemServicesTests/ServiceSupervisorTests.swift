import Testing
import TandemServices

/// The supervisor with a fake host and a hand-moved clock: no processes, no sleeps.
@Suite struct ServiceSupervisorTests {
    let clock = FakeClock()
    let host = FakeServiceHost()
    var supervisor: ServiceSupervisor<FakeInstant> {
        ServiceSupervisor(host: host, now: { [clock] in clock.now })
    }

    @Test func startsWhatTheConfigAsksFor() async throws {
        let s = supervisor
        await s.apply([spec(.dns, "server: a")])
        #expect(host.take() == ["check unbound", "install unbound", "start unbound 101"])
        let status = await s.status()
        #expect(status == [ServiceStatus(name: "unbound", state: "running", pid: 101, configPath: "/srv/t/unbound.conf")])
        #expect(host.installed["/srv/t/unbound.conf"] == "server: a")
    }

    @Test func sameConfigAgainChangesNothing() async {
        let s = supervisor
        await s.apply([spec(.dns, "server: a")])
        _ = host.take()
        await s.apply([spec(.dns, "server: a")])
        #expect(host.take() == [])
    }

    @Test func crashRestartsWithDoublingBackoff() async throws {
        let s = supervisor
        await s.apply([spec(.dhcp4, "k1")])
        _ = host.take()
        await host.exit(101, "signal 11")
        #expect(await s.status().first?.state == "backing off")
        #expect(await s.status().first?.lastError == "exited unexpectedly: signal 11")
        clock.advance(.milliseconds(999))
        await s.tick()
        #expect(host.take() == [])
        clock.advance(.milliseconds(1))
        await s.tick()
        #expect(host.take() == ["start kea-dhcp4 102"])
        // A second crash soon after waits twice as long.
        clock.advance(.seconds(5))
        await host.exit(102, "exit 1")
        clock.advance(.milliseconds(1999))
        await s.tick()
        #expect(host.take() == [])
        clock.advance(.milliseconds(1))
        await s.tick()
        #expect(host.take() == ["start kea-dhcp4 103"])
        #expect(await s.status().first?.restarts == 2)
        // A run longer than `stableAfter` resets the back-off to 1 s.
        clock.advance(.seconds(61))
        await host.exit(103, "exit 1")
        clock.advance(.seconds(1))
        await s.tick()
        #expect(host.take() == ["start kea-dhcp4 104"])
    }

    @Test func failedStartIsRetriedWithBackoff() async {
        let s = supervisor
        host.failStart = true
        await s.apply([spec(.ntp, "pool x", reload: .restart)])
        #expect(host.take() == ["check chronyd", "install chronyd", "start chronyd failed"])
        #expect(await s.status().first?.state == "backing off")
        host.failStart = false
        clock.advance(.seconds(1))
        await s.tick()
        #expect(host.take() == ["start chronyd 101"])
    }

    @Test func changedFileIsReloadedInPlace() async {
        let s = supervisor
        await s.apply([spec(.dhcp4, "k1")])
        _ = host.take()
        await s.apply([spec(.dhcp4, "k2")])
        #expect(host.take() == ["check kea-dhcp4", "install kea-dhcp4", "signal 101 1"])
        #expect(host.installed["/srv/t/kea-dhcp4.conf"] == "k2")
        let status = await s.status().first
        #expect(status?.pid == 101 && status?.reloads == 1)
    }

    /// Unbound keeps its listening sockets across SIGHUP: a new `interface:` restarts it,
    /// a change of its local data reloads it.
    @Test func unboundRestartsForANewInterface() async {
        let s = supervisor
        await s.apply([spec(.dns, "server:\n  interface: 192.0.2.2\n")])
        _ = host.take()
        await s.apply([spec(.dns, "server:\n  interface: 192.0.2.2\n  local-data: \"a A 192.0.2.9\"\n")])
        #expect(host.take() == ["check unbound", "install unbound", "signal 101 1"])
        await s.apply([spec(.dns, "server:\n  interface: 192.0.2.2\n  interface: 192.0.2.1\n")])
        #expect(host.take() == ["check unbound", "install unbound", "signal 101 15"])
        await host.deliverExits()
        #expect(host.take() == ["start unbound 102"])
        let status = await s.status().first
        #expect(status?.state == "running" && status?.pid == 102 && status?.reloads == 1 && status?.restarts == 0)
    }

    /// chronyd cannot re-read its file: a change restarts it.
    @Test func changedFileRestartsWhatCannotReload() async {
        let s = supervisor
        await s.apply([spec(.ntp, "pool a", reload: .restart)])
        _ = host.take()
        await s.apply([spec(.ntp, "pool b", reload: .restart)])
        #expect(host.take() == ["check chronyd", "install chronyd", "signal 101 15"])
        await host.deliverExits()
        #expect(host.take() == ["start chronyd 102"])
        #expect(await s.status().first?.state == "running")
    }

    @Test func invalidFileIsRefusedAndTheOldOneKeepsRunning() async {
        let s = supervisor
        await s.apply([spec(.dns, "server: a")])
        _ = host.take()
        await s.apply([spec(.dns, "server: INVALID")])
        #expect(host.take() == ["check unbound"])
        #expect(host.installed["/srv/t/unbound.conf"] == "server: a")
        let status = await s.status().first
        #expect(status?.state == "running" && status?.pid == 101 && status?.refusals == 1)
        #expect(status?.lastError?.contains("INVALID is not a directive") == true)
        // A later good file clears the error and is reloaded.
        await s.apply([spec(.dns, "server: b")])
        #expect(host.take() == ["check unbound", "install unbound", "signal 101 1"])
        #expect(await s.status().first?.lastError == nil)
    }

    @Test func invalidFirstFileStartsNothing() async {
        let s = supervisor
        await s.apply([spec(.dns, "INVALID")])
        #expect(host.take() == ["check unbound"])
        #expect(await s.status().first?.state == "refused")
    }

    @Test func removedSectionStopsTheService() async {
        let s = supervisor
        await s.apply([spec(.dns, "a"), spec(.dhcp4, "k")])
        _ = host.take()
        await s.apply([spec(.dhcp4, "k")])
        #expect(host.take() == ["signal 101 15"])
        await host.deliverExits()
        #expect(await s.status().map(\.name) == ["kea-dhcp4"])
    }

    @Test func shutdownStopsEverythingForGood() async {
        let s = supervisor
        await s.apply([spec(.dns, "a"), spec(.dhcp4, "k")])
        _ = host.take()
        async let done: Void = s.shutdown(limit: .seconds(8))
        // The fake's processes end on SIGTERM once delivered.
        while host.running.count > 0 {
            await host.deliverExits()
            await Task.yield()
        }
        await done
        #expect(host.take() == ["signal 101 15", "signal 102 15"])
        #expect(host.running.isEmpty)
        await s.apply([spec(.dns, "a")])
        #expect(host.take() == [])
    }

    @Test func processIgnoringSIGTERMGetsSIGKILL() async {
        let s = supervisor
        host.ignoreSIGTERM = true
        await s.apply([spec(.dns, "a")])
        await s.apply([])
        _ = host.take()
        clock.advance(.seconds(5))
        await s.tick()
        #expect(host.take() == ["signal 101 9"])
        await host.deliverExits()
        #expect(await s.status().isEmpty)
    }
}

/// The CARP → Kea HA rule, case by case.
@Suite struct KeaTakeoverTests {
    @Test(arguments: [
        (true, KeaHARole.standby, "hot-standby", KeaTakeover.Command?.some(.maintenanceStart)),
        (true, .standby, "partner-down", nil),
        (true, .standby, "partner-in-maintenance", nil),
        (true, .standby, "waiting", .maintenanceStart),
        (true, .primary, "waiting", .maintenanceStart),
        (false, .primary, "waiting", nil),
        (true, .primary, "hot-standby", nil),
        (false, .standby, "partner-in-maintenance", .maintenanceCancel),
        (false, .primary, "partner-in-maintenance", .maintenanceCancel),
        (false, .standby, "hot-standby", nil),
        (false, .primary, "in-maintenance", nil),
    ])
    func command(_ master: Bool, _ role: KeaHARole, _ state: String, _ expected: KeaTakeover.Command?) {
        #expect(KeaTakeover.command(carpMaster: master, role: role, state: state) == expected)
    }
}

/// How a takeover is carried out: the partner is refused by the kernel only while a
/// maintenance start runs against a partner that did not answer.
@Suite struct KeaTakeoverStepsTests {
    @Test(arguments: [
        (KeaTakeover.Command.maintenanceStart, "hot-standby", KeaTakeover.PartnerProbe.silent,
         [KeaTakeover.Step.blockPartner, .send(.maintenanceStart), .unblockPartner]),
        (.maintenanceStart, "hot-standby", .connected, [.send(.maintenanceStart)]),
        (.maintenanceStart, "hot-standby", .refused, [.send(.maintenanceStart)]),
        (.maintenanceStart, "waiting", .silent, [.blockPartner, .send(.maintenanceStart), .unblockPartner]),
        // Just started beside a live partner: Kea's own sync brings it up.
        (.maintenanceStart, "waiting", .connected, []),
        // Its host is up but its Kea is not: Kea's own request is refused at once.
        (.maintenanceStart, "waiting", .refused, [.send(.maintenanceStart)]),
        (.maintenanceCancel, "partner-in-maintenance", .silent, [.send(.maintenanceCancel)]),
        (.maintenanceCancel, "partner-in-maintenance", .connected, [.send(.maintenanceCancel)]),
    ])
    func steps(_ command: KeaTakeover.Command, _ state: String, _ probe: KeaTakeover.PartnerProbe, _ expected: [KeaTakeover.Step]) {
        #expect(KeaTakeover.steps(for: command, state: state, partner: probe) == expected)
    }
}
