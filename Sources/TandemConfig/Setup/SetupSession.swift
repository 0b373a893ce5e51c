import Foundation

/// One run of the questions as a value: feed it answers, it says what to ask next or why an
/// answer was refused (the console asks again with that reason). The answers file and
/// `--set` go through the same checks, so a preseeded image gets the same errors.
public struct SetupSession: Sendable {
    public let facts: SetupFacts
    public private(set) var answers: [String: String] = [:]
    private var index = 0

    public init(facts: SetupFacts) {
        self.facts = facts
        skipInapplicable()
    }

    /// The question to ask now; nil when done.
    public var current: SetupQuestion? {
        index < SetupQuestion.all.count ? SetupQuestion.all[index] : nil
    }

    /// The current question's default, given the answers so far.
    public var currentDefault: String? {
        current.flatMap { $0.defaultAnswer(facts, answers) }
    }

    /// Takes an answer to the current question (an empty one means its default). Returns the
    /// reason it was refused, or nil and moves on.
    public mutating func answer(_ raw: String) -> String? {
        guard let question = current else { return "no question is open" }
        var text = question.secret ? raw : raw.trimmingCharacters(in: .whitespaces)
        if text.isEmpty, let fallback = currentDefault { text = fallback }
        if text.isEmpty, currentDefault == nil { return "an answer is required" }
        if let problem = question.check(text, facts, answers) { return problem }
        answers[question.key] = text
        index += 1
        skipInapplicable()
        return nil
    }

    private mutating func skipInapplicable() {
        while let q = current, !q.applies(answers) { index += 1 }
    }

    /// Answers from a file or flags, each checked in question order. An unknown key, a
    /// refused answer or a missing required one throws with the place named.
    public static func run(facts: SetupFacts, given: [(key: String, value: String, place: String)]) throws(SetupError) -> [String: String] {
        let known = Set(SetupQuestion.all.map(\.key))
        var byKey: [String: (value: String, place: String)] = [:]
        for item in given {
            guard known.contains(item.key) else {
                throw SetupError(place: item.place, problem: "unknown key \"\(item.key)\"; expected one of \(SetupQuestion.all.map(\.key).joined(separator: ", "))")
            }
            byKey[item.key] = (item.value, item.place)
        }
        var session = SetupSession(facts: facts)
        while let q = session.current {
            let given = byKey[q.key]
            if given == nil, session.currentDefault == nil {
                throw SetupError(place: q.key, problem: "missing: \(q.prompt)")
            }
            if let problem = session.answer(given?.value ?? "") {
                throw SetupError(place: given?.place ?? q.key, problem: "\(q.key)=\(q.secret ? "…" : given?.value ?? ""): \(problem)")
            }
        }
        return session.answers
    }

    /// `key=value` lines; `#` starts a comment line. Places are `file:line`.
    public static func parseAnswers(_ text: String, file: String) throws(SetupError) -> [(key: String, value: String, place: String)] {
        var out: [(key: String, value: String, place: String)] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw SetupError(place: "\(file):\(n + 1)", problem: "expected key=value, found \"\(trimmed)\"")
            }
            out.append((String(trimmed[..<eq]).trimmingCharacters(in: .whitespaces),
                        String(trimmed[trimmed.index(after: eq)...]).trimmingCharacters(in: .whitespaces), "\(file):\(n + 1)"))
        }
        return out
    }
}

public struct SetupError: Error, CustomStringConvertible, Sendable {
    public var place: String
    public var problem: String
    public init(place: String, problem: String) {
        self.place = place
        self.problem = problem
    }
    public var description: String { "\(place): \(problem)" }
}
