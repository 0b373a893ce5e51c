/// What `tandem apply` is asked to do. `ApplyCommand` (ArgumentParser) fills it in, or, for
/// a command line made only of the plain forms below, `init(plainArguments:)` does without
/// building the parser: ArgumentParser reflects on the types of every option it defines
/// the first time it parses, which costs ~2.5 ms, a tenth of applying an edit (issue #3).
struct ApplyOptions: Equatable {
    var file: String?
    var root = "/"
    var dryRun = false
    var validateFirst = false
    var verbose = false
    /// `--confirm`: seconds until the daemon restores the previous revision unless `tandem
    /// confirm` comes first.
    var confirmSeconds: Double?
    /// The revision's description, when not `tandem apply FILE` (`tandem rollback`).
    var description: String?

    /// The arguments after `apply`: at most one FILE, and `--root DIR` (or `--root=DIR`),
    /// `--dry-run`, `--validate-first`, `-v` or `--verbose`, each at most once. Anything
    /// else (help, an unknown, repeated or combined option, a FILE or DIR that starts with
    /// `-`, a missing value) is nil: ArgumentParser then parses the line and reports it.
    init?(plainArguments arguments: ArraySlice<String>) {
        var seen: Set<String> = []
        var rest = arguments[...]
        func once(_ name: String) -> Bool { seen.insert(name).inserted }
        while let argument = rest.popFirst() {
            switch argument {
            case "--dry-run":
                guard once(argument) else { return nil }
                dryRun = true
            case "--validate-first":
                guard once(argument) else { return nil }
                validateFirst = true
            case "-v", "--verbose":
                guard once("--verbose") else { return nil }
                verbose = true
            case "--root":
                guard once("--root"), let value = rest.popFirst(), !value.hasPrefix("-") else { return nil }
                root = value
            case let option where option.hasPrefix("--root="):
                let value = String(option.dropFirst("--root=".count))
                guard once("--root"), !value.hasPrefix("-") else { return nil }
                root = value
            case let other where other.hasPrefix("-"):
                return nil
            default:
                guard file == nil else { return nil }
                file = argument
            }
        }
    }

    init(file: String?, root: String, dryRun: Bool, validateFirst: Bool, verbose: Bool,
         confirmSeconds: Double? = nil, description: String? = nil) {
        self.confirmSeconds = confirmSeconds
        self.description = description
        self.file = file
        self.root = root
        self.dryRun = dryRun
        self.validateFirst = validateFirst
        self.verbose = verbose
    }
}

extension ApplyOptions {
    /// `--confirm`'s value: minutes (`5`, `0.5`), or seconds with an `s` (`20s`, for tests
    /// and quick trials). Between 1 second and one day.
    static func confirmSeconds(_ text: String) -> Double? {
        let seconds: Double? = if text.hasSuffix("s") { Double(text.dropLast()) } else { Double(text).map { $0 * 60 } }
        guard let seconds, seconds.isFinite, seconds >= 1, seconds <= 86_400 else { return nil }
        return seconds
    }
}
