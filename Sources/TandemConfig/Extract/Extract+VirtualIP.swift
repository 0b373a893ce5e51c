extension ConfigExtractor {
    mutating func virtualIPs() -> [VirtualIP] {
        guard let container = root.child("virtualip") else { return [] }
        return listItems(container.children("vip")).compactMap { index, element in
            let r = ItemReader(element, path: itemPath("virtualip", "vip", index))
            guard let mode = r.word("mode", as: VirtualIP.Mode.self, &issues) else {
                if r.nonEmpty("mode") == nil { issues.append(r.error("VIP has no <mode>", field: "mode")) }
                return nil
            }
            var vip = VirtualIP(mode: mode, location: r.location)
            vip.attachment = r.nonEmpty("interface").map(VirtualIP.Attachment.init)
            vip.vhid = r.int("vhid", &issues)
            vip.advskew = r.int("advskew", &issues)
            vip.advbase = r.int("advbase", &issues)
            vip.password = r.raw("password")
            vip.type = r.nonEmpty("type")
            vip.address = r.ip("subnet", &issues)
            vip.prefixLength = r.int("subnet_bits", &issues)
            vip.descr = r.raw("descr")
            vip.uniqid = r.nonEmpty("uniqid") ?? element.attribute("uuid")
            vip.noExpand = r.flag("noexpand")
            vip.peer = r.ip("peer", &issues)
            vip.peer6 = r.ip("peer6", &issues)
            vip.noSync = r.flag("nosync")
            return vip
        }
    }
}
