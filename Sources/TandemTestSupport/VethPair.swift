/// Connects two test namespaces with a veth pair and gives each end an address.
/// Addresses must come from the documentation ranges.
public func connect(_ a: NetworkNamespace, _ aName: String, _ aAddress: String?,
                    _ b: NetworkNamespace, _ bName: String, _ bAddress: String?) throws {
    try a.exec(["ip", "link", "add", aName, "type", "veth", "peer", "name", bName, "netns", b.name])
    if let aAddress { try a.exec(["ip", "address", "add", aAddress, "dev", aName]) }
    if let bAddress { try b.exec(["ip", "address", "add", bAddress, "dev", bName]) }
    try a.exec(["ip", "link", "set", aName, "up"])
    try b.exec(["ip", "link", "set", bName, "up"])
}
