import Foundation
import TandemAddress

/// The config.xml that setup's answers make: pfSense's defaults for a fresh install
/// (`pfsense/pfsense:src/conf.default/config.xml`: the admin user and groups, "Default allow
/// LAN to any rule", automatic outbound NAT) with the chosen interfaces, a default gateway,
/// and, for a cluster node, the CARP VIPs, a rule passing the SYNC link and state sync
/// towards the peer. Pure: the bcrypt hash is made by the caller.
public enum SetupConfig {
    public static func xml(_ a: [String: String], adminBcrypt: String, time: Int) -> String {
        func v(_ key: String) -> String { a[key] ?? "" }
        func cidr(_ key: String) -> (String, String) {
            let parts = v(key).split(separator: "/").map(String.init)
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }
        let (wanIP, wanBits) = cidr("wan.address")
        let (lanIP, lanBits) = cidr("lan.address")
        let hasSync = !v("sync.if").isEmpty
        let (syncIP, syncBits) = cidr("sync.address")
        var out = """
        <?xml version="1.0"?>
        <pfsense>
        \t<version>23.3</version>
        \t<system>
        \t\t<hostname>\(esc(v("hostname")))</hostname>
        \t\t<domain>\(esc(v("domain")))</domain>
        \t\t<group>
        \t\t\t<name>all</name>
        \t\t\t<description><![CDATA[All Users]]></description>
        \t\t\t<scope>system</scope>
        \t\t\t<gid>1998</gid>
        \t\t\t<member>0</member>
        \t\t</group>
        \t\t<group>
        \t\t\t<name>admins</name>
        \t\t\t<description><![CDATA[System Administrators]]></description>
        \t\t\t<scope>system</scope>
        \t\t\t<gid>1999</gid>
        \t\t\t<member>0</member>
        \t\t\t<priv>page-all</priv>
        \t\t</group>
        \t\t<user>
        \t\t\t<name>admin</name>
        \t\t\t<descr><![CDATA[System Administrator]]></descr>
        \t\t\t<scope>system</scope>
        \t\t\t<groupname>admins</groupname>
        \t\t\t<bcrypt-hash>\(esc(adminBcrypt))</bcrypt-hash>
        \t\t\t<uid>0</uid>
        \t\t\t<priv>user-shell-access</priv>
        \t\t</user>
        \t\t<nextuid>2000</nextuid>
        \t\t<nextgid>2000</nextgid>
        \t\t<timezone>Etc/UTC</timezone>
        \t</system>
        \t<interfaces>
        \t\t<wan>
        \t\t\t<enable></enable>
        \t\t\t<if>\(esc(v("wan.if")))</if>
        \t\t\t<descr><![CDATA[WAN]]></descr>
        \t\t\t<ipaddr>\(wanIP)</ipaddr>
        \t\t\t<subnet>\(wanBits)</subnet>
        \(v("wan.gateway").isEmpty ? "" : "\t\t\t<gateway>WANGW</gateway>\n")\t\t</wan>
        \t\t<lan>
        \t\t\t<enable></enable>
        \t\t\t<if>\(esc(v("lan.if")))</if>
        \t\t\t<descr><![CDATA[LAN]]></descr>
        \t\t\t<ipaddr>\(lanIP)</ipaddr>
        \t\t\t<subnet>\(lanBits)</subnet>
        \t\t</lan>

        """
        if hasSync {
            out += """
            \t\t<opt1>
            \t\t\t<enable></enable>
            \t\t\t<if>\(esc(v("sync.if")))</if>
            \t\t\t<descr><![CDATA[SYNC]]></descr>
            \t\t\t<ipaddr>\(syncIP)</ipaddr>
            \t\t\t<subnet>\(syncBits)</subnet>
            \t\t</opt1>

            """
        }
        out += "\t</interfaces>\n"
        if !v("wan.gateway").isEmpty {
            out += """
            \t<gateways>
            \t\t<gateway_item>
            \t\t\t<interface>wan</interface>
            \t\t\t<gateway>\(v("wan.gateway"))</gateway>
            \t\t\t<name>WANGW</name>
            \t\t\t<weight>1</weight>
            \t\t\t<ipprotocol>inet</ipprotocol>
            \t\t</gateway_item>
            \t\t<defaultgw4>WANGW</defaultgw4>
            \t</gateways>

            """
        }
        if v("wan.vip").isEmpty {
            out += "\t<nat>\n\t\t<outbound>\n\t\t\t<mode>automatic</mode>\n\t\t</outbound>\n\t</nat>\n"
        } else {
            // A cluster translates to the WAN VIP, which moves with the traffic on failover;
            // automatic NAT would use the node's own address (pfSense's HA guide does the same).
            let lanNet = IPNetwork(v("lan.address")).map { "\($0.network)/\($0.prefixLength)" } ?? ""
            out += """
            \t<nat>
            \t\t<outbound>
            \t\t\t<mode>advanced</mode>
            \t\t\t<rule>
            \t\t\t\t<source>
            \t\t\t\t\t<network>\(lanNet)</network>
            \t\t\t\t</source>
            \t\t\t\t<descr><![CDATA[LAN to WAN through the WAN CARP VIP]]></descr>
            \t\t\t\t<target>\(v("wan.vip"))</target>
            \t\t\t\t<interface>wan</interface>
            \t\t\t\t<ipprotocol>inet</ipprotocol>
            \t\t\t\t<destination>
            \t\t\t\t\t<any></any>
            \t\t\t\t</destination>
            \t\t\t</rule>
            \t\t</outbound>
            \t</nat>

            """
        }
        out += "\t<filter>\n"
        out += rule(tracker: time, interface: "lan", source: "<network>lan</network>", descr: "Default allow LAN to any rule")
        if hasSync {
            out += rule(tracker: time + 1, interface: "opt1", source: "<any></any>", descr: "Allow state and config sync between the nodes")
        }
        out += "\t</filter>\n"
        var vips = ""
        for (role, key, vhid) in [("lan", "lan.vip", 1), ("wan", "wan.vip", 2)] where !v(key).isEmpty {
            let bits = role == "lan" ? lanBits : wanBits
            vips += """
            \t\t<vip>
            \t\t\t<mode>carp</mode>
            \t\t\t<interface>\(role)</interface>
            \t\t\t<vhid>\(vhid)</vhid>
            \t\t\t<advskew>\(v("carp.advskew"))</advskew>
            \t\t\t<advbase>1</advbase>
            \t\t\t<password><![CDATA[\(cdata(v("carp.password")))]]></password>
            \t\t\t<uniqid>tandemsetup\(vhid)</uniqid>
            \t\t\t<descr><![CDATA[\(role.uppercased()) CARP VIP]]></descr>
            \t\t\t<type>single</type>
            \t\t\t<subnet_bits>\(bits)</subnet_bits>
            \t\t\t<subnet>\(v(key))</subnet>
            \t\t</vip>

            """
        }
        if !vips.isEmpty { out += "\t<virtualip>\n" + vips + "\t</virtualip>\n" }
        if hasSync, !v("sync.peer").isEmpty {
            out += """
            \t<hasync>
            \t\t<pfsyncenabled>on</pfsyncenabled>
            \t\t<pfsyncinterface>opt1</pfsyncinterface>
            \t\t<pfsyncpeerip>\(v("sync.peer"))</pfsyncpeerip>
            \t</hasync>

            """
        }
        out += "</pfsense>\n"
        return out
    }

    private static func rule(tracker: Int, interface: String, source: String, descr: String) -> String {
        """
        \t\t<rule>
        \t\t\t<tracker>\(tracker)</tracker>
        \t\t\t<type>pass</type>
        \t\t\t<interface>\(interface)</interface>
        \t\t\t<ipprotocol>inet</ipprotocol>
        \t\t\t<statetype><![CDATA[keep state]]></statetype>
        \t\t\t<source>
        \t\t\t\t\(source)
        \t\t\t</source>
        \t\t\t<destination>
        \t\t\t\t<any></any>
        \t\t\t</destination>
        \t\t\t<descr><![CDATA[\(descr)]]></descr>
        \t\t</rule>

        """
    }

    private static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A CDATA section cannot hold "]]>": split it across two sections.
    private static func cdata(_ s: String) -> String {
        s.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
    }
}
