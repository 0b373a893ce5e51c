import TandemAddress

/// A named set or map (`set NAME { type …; flags …; elements = { … } }`). Aliases become
/// sets; interface dispatch becomes a verdict map.
public struct NamedSet: Sendable, Hashable {
    public var name: String
    public var keyType: SetKeyType
    /// Further key fields after `keyType`: the key is their concatenation
    /// (`type ipv4_addr . ipv4_addr . inet_service`), each field 4-byte aligned in the kernel.
    public var concatenated: [SetKeyType]
    /// nil for a set; `.verdict` for a verdict map (`map NAME { type K : verdict }`).
    public var dataType: SetDataType?
    public var flags: SetFlags
    /// Sorted and, for interval sets, merged and non-overlapping: the compiler normalises,
    /// the renderer and committer emit as given.
    public var elements: [SetElement]
    public var comment: String?
    /// `counter` in the declaration: every element counts the packets and bytes it matched.
    public var counters: Bool
    /// For the set of a group of filter rules (`Match.concatenation`): where each element
    /// came from.
    public var ruleGroup: RuleGroupOrigins?

    public init(name: String, keyType: SetKeyType, concatenated: [SetKeyType] = [], dataType: SetDataType? = nil,
                flags: SetFlags = [], elements: [SetElement] = [], comment: String? = nil, counters: Bool = false,
                ruleGroup: RuleGroupOrigins? = nil) {
        self.name = name
        self.keyType = keyType
        self.concatenated = concatenated
        self.counters = counters
        self.ruleGroup = ruleGroup
        self.dataType = dataType
        self.flags = flags
        self.elements = elements
        self.comment = comment
    }
}

extension NamedSet {
    /// Every key field: `keyType`, then `concatenated`.
    public var keyTypes: [SetKeyType] { [keyType] + concatenated }

    /// The set without its elements and their origins: what must match for a set to be
    /// updated in place by element changes.
    public var definitionOnly: NamedSet {
        var s = self
        s.elements = []
        s.ruleGroup = nil
        return s
    }
}

/// The origins of a rule group's elements, in the order of `NamedSet.elements`.
public struct RuleGroupOrigins: Sendable, Hashable {
    public var origins: [RuleOrigin]
    /// Some rule of the group repeated the tuple of an earlier one, so has no element of its
    /// own (it could never match first): an edit of the group cannot be one element's.
    public var hasDuplicates: Bool

    public init(origins: [RuleOrigin], hasDuplicates: Bool) {
        self.origins = origins
        self.hasDuplicates = hasDuplicates
    }
}

public enum SetKeyType: String, Sendable, Hashable {
    case ipv4Address = "ipv4_addr"
    case ipv6Address = "ipv6_addr"
    case inetService = "inet_service"
    case inetProto = "inet_proto"
    case ifname = "ifname"
    case mark = "mark"
}

public enum SetDataType: String, Sendable, Hashable {
    case verdict
}

public struct SetFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Elements are ranges/prefixes (NFT_SET_INTERVAL).
    public static let interval = SetFlags(rawValue: 1 << 0)
    /// Contents never change after creation (NFT_SET_CONSTANT).
    public static let constant = SetFlags(rawValue: 1 << 1)
}

/// One value of a set key.
public enum SetValue: Sendable, Hashable, Comparable {
    case ipv4(IPv4Address)
    case ipv6(IPv6Address)
    case port(UInt16)
    case proto(UInt8)
    case ifname(String)
    case mark(UInt32)
}

public enum SetElement: Sendable, Hashable {
    case single(SetValue)
    /// Inclusive range; the renderer prints it as a prefix where it is one.
    case interval(SetValue, SetValue)
    /// A verdict-map entry.
    case mapping(SetValue, Verdict)
    /// One value per key field of a concatenated set, with the element's comment.
    case tuple([SetValue], comment: String?)
}
