extension ConfigExtractor {
    /// `<hasync>`, pfSense form (`on` toggles) or OPNsense MVC form (`version` attribute,
    /// explicit `0`/`1`); every `synchronize*` toggle is kept, known or not (§10).
    mutating func hasync() -> HASync? {
        guard let element = root.child("hasync") else { return nil }
        let r = ItemReader(element, path: "hasync")
        var h = HASync(location: r.location)
        h.modelVersion = element.attribute("version")
        h.pfsyncEnabled = r.flag("pfsyncenabled")
        h.pfsyncInterface = r.nonEmpty("pfsyncinterface")
        h.pfsyncPeer = r.ip("pfsyncpeerip", &issues)
        h.pfHostID = r.nonEmpty("pfhostid")
        h.synchronizeToIP = r.nonEmpty("synchronizetoip")
        h.username = r.raw("username").flatMap { $0.isEmpty ? nil : $0 }
        h.password = r.raw("password").flatMap { $0.isEmpty ? nil : $0 }
        h.adminSync = r.flag("adminsync")
        h.newPassword = r.raw("new_password").flatMap { $0.isEmpty ? nil : $0 }
        for child in element.elements where child.name.hasPrefix("synchronize") && child.name != "synchronizetoip" {
            h.toggles.append(HASync.Toggle(name: child.name, enabled: r.flag(child.name)))
        }
        h.disablePreempt = r.flag("disablepreempt")
        h.disconnectPPPs = r.flag("disconnectppps")
        h.verifyPeer = r.flag("verifypeer")
        h.pfsyncDefer = r.flag("pfsyncdefer")
        h.pfsyncVersion = r.nonEmpty("pfsyncversion")
        h.syncItems = r.list("syncitems")
        return h
    }
}
