import TandemAddress

/// Normalisation shared by the text renderer and the netlink committer, so both paths give
/// the kernel the same objects (see the header of Render.swift).
public enum Canonical {
    /// NFTNL_UDATA_COMMENT_MAXLEN: nft refuses longer rule comments.
    public static let commentMaxBytes = 128
    /// NF_LOG_PREFIXLEN (128) less the terminating NUL.
    public static let logPrefixMaxBytes = 127

    /// A comment that survives nft's quoted-string scanner (`"[^"]*"`, no escapes) and the
    /// kernel's udata limit: `"` → `'`, control characters → space, cut to 128 bytes at a
    /// UTF-8 character boundary.
    public static func comment(_ text: String) -> String {
        truncate(clean(text), toBytes: commentMaxBytes)
    }

    /// A log prefix, cleaned like a comment and cut to 127 bytes.
    public static func logPrefix(_ text: String) -> String {
        truncate(clean(text), toBytes: logPrefixMaxBytes)
    }

    static func clean(_ text: String) -> String {
        // Most text has nothing to replace: every character replaced is a single ASCII byte.
        if !text.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 < 0x20 || $0 == 0x7f }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append("'")
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out.append(" ")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The longest prefix of `text` whose UTF-8 form fits in `limit` bytes, cut between
    /// characters (never inside a multi-byte sequence or a grapheme).
    public static func truncate(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > limit { break }
            out.append(character)
            used += size
        }
        return out
    }
}

extension Rule {
    /// The rule with explicit protocol dependencies and normalised strings:
    /// * before the first `ip`/`ip6` address or `icmp`/`icmpv6` type match of a family, a
    ///   `meta nfproto` match for it unless one is already earlier in the rule;
    /// * before an ICMP type match, `meta l4proto icmp|ipv6-icmp` unless already earlier;
    /// * comment and log prefixes through `Canonical`.
    /// Idempotent: canonicalising twice gives the same rule.
    public func canonicalized() -> Rule {
        var out: [Match] = []
        out.reserveCapacity(matches.count + 2)
        // A rule has at most two families and a protocol or two: arrays, not Sets, as this
        // runs for every rule rendered or committed (issue #3).
        var families: [IPFamily] = []
        var protocols: [UInt8] = []
        for match in matches {
            switch match {
            case .nfproto(let family):
                if !families.contains(family) { families.append(family) }
            case .l4proto(let list, negated: false) where list.count == 1:
                if !protocols.contains(list[0]) { protocols.append(list[0]) }
            case .address(_, let family, _, _):
                if !families.contains(family) {
                    out.append(.nfproto(family))
                    families.append(family)
                }
            case .concatenation(let fields, _):
                for case .address(_, let family) in fields where !families.contains(family) {
                    out.append(.nfproto(family))
                    families.append(family)
                }
            case .icmpType(let family, _):
                if !families.contains(family) {
                    out.append(.nfproto(family))
                    families.append(family)
                }
                let proto = Protocols.icmp(for: family)
                if !protocols.contains(proto) {
                    out.append(.l4proto([proto]))
                    protocols.append(proto)
                }
            default:
                break
            }
            out.append(match)
        }
        var rule = self
        rule.matches = out
        rule.statements = statements.map { statement in
            if case .log(let prefix, let level, let group) = statement {
                return .log(prefix: Canonical.logPrefix(prefix), level: level, group: group)
            }
            return statement
        }
        rule.comment = comment.map(Canonical.comment)
        return rule
    }
}
