import TandemRuleset

/// The bytes of the batch a full replace of `ruleset` sends, built without a socket or a
/// kernel: the same planner and encoder the committer uses, into a plain buffer. For
/// tests and the fuzz harnesses (config.xml → check → compile → netlink bytes).
public enum NftOfflineBatch {
    /// `commit: false` leaves END out, as a dry run sends it.
    public static func fullReplace(_ ruleset: Ruleset, generation: UInt32? = nil,
                                   commit: Bool = true) throws(NftCommitError) -> [UInt8] {
        var planner = NftPlanner()
        let plan: NftBatchPlan
        do {
            plan = try planner.fullReplace(ruleset)
        } catch {
            throw .unsupported(place: error.place, problem: error.problem)
        }
        return try bytes(plan, generation: generation, commit: commit)
    }

    static func bytes(_ plan: NftBatchPlan, generation: UInt32? = nil, commit: Bool = true) throws(NftCommitError) -> [UInt8] {
        do {
            let batch = try NftMessageEncoder.encode(plan, firstSequence: 1, generation: generation, commit: commit)
            return Array(batch.buffer.bytes)
        } catch {
            throw .unencodable(error)
        }
    }
}
