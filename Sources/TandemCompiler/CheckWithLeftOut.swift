import TandemConfig

extension ConfigCheck {
    /// What `tandem check` reports: the validator's diagnostics and, for a valid file, the
    /// pass rules the compiler leaves out (a condition Tandem cannot enforce) with their
    /// warnings, so a check says everything `apply` would not do.
    public func withLeftOutRules() -> (diagnostics: [ConfigDiagnostic], leftOut: [LeftOutRule]) {
        guard isValid, let document else { return (diagnostics, []) }
        let compiled = RulesetCompiler.compile(document.config)
        let warnings = compiled.diagnostics.filter { d in compiled.leftOut.contains { $0.path == d.path } }
        return (diagnostics + warnings, compiled.leftOut)
    }
}
