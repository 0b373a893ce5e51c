import TandemCompiler
import TandemConfig
import TandemNetlink

/// config.xml as an administrator (or a config-sync peer) hands it to `tandem check`/`apply`:
/// parse and validate, compile (the compiler is total: it must not trap on a config that
/// failed validation either, `tandem apply` compiles while it validates), and for a valid
/// config plan and encode the full-replace netlink batch into a plain buffer, as the
/// committer would send it, without a kernel. An encoding error is fine (it is reported with
/// its place); a trap or an out-of-bounds write (AddressSanitizer) is not.
func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let check = ConfigCheck(bytes: bytes)
    guard let document = check.document else { return }
    let compiled = RulesetCompiler.compile(document.config)
    guard check.isValid else { return }
    _ = compiled.ruleset.render()
    _ = try? NftOfflineBatch.fullReplace(compiled.ruleset)
}
