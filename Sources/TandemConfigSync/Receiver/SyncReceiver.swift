import TandemAddress
import TandemConfig

/// The server side of config sync, as pfSense's `xmlrpc.php` (`pfsense_xmlrpc_server`) and
/// OPNsense's `opnsense.` methods behave, without the I/O: the endpoint authenticates the
/// caller, decodes the call, asks `handle`, commits what it is told to and sends the reply.
public struct SyncReceiver: Sendable {
    /// What `host_firmware_version` reports besides the config version.
    public struct Versions: Sendable, Hashable {
        /// The product's version (`firmware.version`).
        public var firmware: String
        /// The running kernel's release (`kernel.version`, `base.version`).
        public var kernel: String
        public var platform: String

        public init(firmware: String, kernel: String, platform: String = "Tandem") {
            self.firmware = firmware
            self.kernel = kernel
            self.platform = platform
        }
    }

    public var versions: Versions

    public init(versions: Versions) {
        self.versions = versions
    }

    /// Methods that change the config: refused as a no-op (`true`) from the address this
    /// node itself pushes to, which would otherwise make two primaries sync in a loop.
    static let mutating: Set<String> = [
        "restore_config_section", "merge_installedpackages_section", "merge_config_section", "interfaces_carp_configure",
    ]

    /// Remote code and command execution, and reboot: never done.
    static let refused: Set<String> = ["exec_php", "exec_shell", "reboot"]

    public func handle(call: XMLRPCCall, local: ConfigDocument, caller: IPAddress?) -> SyncReceipt {
        let (prefix, method) = Self.split(call.methodName)
        guard prefix == "pfsense" || prefix == "opnsense" else { return .reply(SyncFault.methodNotFound(call.methodName), log: []) }
        let from = caller.map { " from \($0)" } ?? ""
        if Self.refused.contains(method) {
            return .reply(SyncFault.refused(call.methodName), log: ["Refused \(call.methodName)\(from)"])
        }
        if Self.mutating.contains(method), let caller, let own = local.config.hasync?.synchronizeToAddress, own == caller {
            return .reply(.value(.boolean(true)), log: ["Disallowing CARP sync loop (\(call.methodName)\(from))"])
        }
        switch method {
        case "host_firmware_version", "firmware_version":
            return .reply(.value(firmwareVersion(local.config)), log: [])
        case "restore_config_section":
            guard let sections = call.params.first, case .struct(let members) = sections else {
                return .reply(SyncFault.invalidParams(call.methodName, "the first parameter must be a struct of sections"), log: [])
            }
            do {
                return .commit(try RestoreConfigSection.run(members, local: local, caller: caller))
            } catch {
                return .reply(SyncFault.invalidParams(call.methodName, error.description), log: ["\(call.methodName)\(from) refused: \(error)"])
            }
        case "merge_installedpackages_section":
            guard let section = call.params.first, case .struct(let members) = section else {
                return .reply(SyncFault.invalidParams(call.methodName, "the parameter must be a struct"), log: [])
            }
            do {
                return .commit(try Self.mergeInstalledPackages(members, local: local))
            } catch {
                return .reply(SyncFault.invalidParams(call.methodName, error.description), log: [])
            }
        case "merge_config_section":
            guard let section = call.params.first, case .struct(let members) = section else {
                return .reply(SyncFault.invalidParams(call.methodName, "the parameter must be a struct"), log: [])
            }
            do {
                return .commit(try Self.mergeConfig(members, local: local))
            } catch {
                return .reply(SyncFault.invalidParams(call.methodName, error.description), log: [])
            }
        case "backup_config_section":
            guard let names = call.params.first?.items else {
                return .reply(SyncFault.invalidParams(call.methodName, "the parameter must be an array of section names"), log: [])
            }
            let wanted = Set(names.compactMap(\.stringValue))
            let members = local.xml.root.elements.filter { wanted.contains($0.name) && !SyncSections.neverSent.contains($0.name) }
                .map { XMLRPCValue.Member($0.name, SectionForm.value(of: $0)) }
            return .reply(.value(.struct(members)), log: [])
        case "filter_configure", "interfaces_carp_configure", "configd_reload_all_templates":
            // Every commit is applied whole (ruleset, VIPs, services): there is nothing left
            // to reload when an older primary asks for it after its restore.
            return .reply(.value(.boolean(true)), log: [])
        case "list_services":
            return .reply(.value(.array([])), log: [])
        default:
            return .reply(SyncFault.methodNotFound(call.methodName), log: [])
        }
    }

    /// `host_firmware_version()` (`pfsense/pfsense:src/etc/inc/pfsense-utils.inc`): the
    /// primary compares `config_version` with its own `<version>` before it pushes.
    func firmwareVersion(_ config: Config) -> XMLRPCValue {
        .structure([
            ("firmware", .structure([("version", .string(versions.firmware))])),
            ("kernel", .structure([("version", .string(versions.kernel))])),
            ("base", .structure([("version", .string(versions.kernel))])),
            ("platform", .string(versions.platform)),
            ("config_version", .string(config.version?.text ?? "")),
        ])
    }

    static func split(_ name: String) -> (prefix: String, method: String) {
        guard let dot = name.firstIndex(of: ".") else { return ("", name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    static func revisionText(_ keys: [String]) -> String {
        "Merged in config (\(keys.joined(separator: ", ")) sections) from XMLRPC client."
    }

    /// `array_merge($config['installedpackages'], $section)`: each pushed package key
    /// replaces the local one.
    static func mergeInstalledPackages(_ members: [XMLRPCValue.Member], local: ConfigDocument) throws(SectionFormError) -> SyncCommit {
        var root = local.xml.root
        let members = PHPArrayMerge.phpMembers(members)
        var packages = root.child("installedpackages") ?? XMLElement(name: "installedpackages")
        for member in members {
            let replacement = try PHPArrayMerge.elements(named: member.name, from: member.value, path: "installedpackages/" + member.name)
            packages.replaceChildren(named: member.name, with: replacement, depth: 2)
        }
        root.setElement(packages, at: "installedpackages")
        return commit(root, local: local, keys: members.map(\.name))
    }

    /// `array_overlay($config, $section)`: only what exists locally changes.
    static func mergeConfig(_ members: [XMLRPCValue.Member], local: ConfigDocument) throws(SectionFormError) -> SyncCommit {
        var root = local.xml.root
        let members = PHPArrayMerge.phpMembers(members)
        for member in members where !SyncSections.neverSent.contains(member.name) {
            guard let section = root.child(member.name) else { continue }
            let before = SectionForm.value(of: section)
            let after = PHPArrayMerge.overlay(before, with: member.value)
            guard after != before else { continue }
            root.setElement(try SectionForm.element(named: member.name, from: after), at: member.name)
        }
        return commit(root, local: local, keys: members.map(\.name))
    }

    static func commit(_ root: XMLElement, local: ConfigDocument, keys: [String]) -> SyncCommit {
        var document = local
        document.edit { $0 = root }
        return SyncCommit(document: document, revisionDescription: revisionText(keys), sections: keys,
                          reply: .value(.boolean(true)), vips: VIPChanges(), removedRoutes: [], warnings: [],
                          log: [revisionText(keys)])
    }
}
