import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// posix_spawn(3) with a clean signal state, and a thread that reaps the child.
///
/// Foundation's `Process` starts children from whichever thread calls it, and they inherit
/// that thread's signal mask (posix_spawn(3), signal(7): the mask and ignored dispositions
/// survive execve). The daemon's threads block most signals (swift-service-lifecycle and
/// Dispatch handle them on their own threads), so a child started that way never sees
/// SIGTERM or SIGHUP: chronyd and kea-dhcp4 ignored both until SIGKILL. Here the child gets
/// an empty mask and every signal at its default (POSIX_SPAWN_SETSIGMASK, SETSIGDEF).
enum Spawn {
    /// POSIX_SPAWN_SETSID (glibc ≥ 2.26, `<spawn.h>`; a GNU extension the Glibc module
    /// does not export).
    static let spawnSetsid: Int32 = 0x80

    struct Failure: Error, CustomStringConvertible {
        var program: String
        var call: String
        var code: Int32
        var description: String { "\(call) \(program): \(String(cString: strerror(code))) (errno \(code))" }
    }

    /// Starts `argv` on the spawner thread (see `Spawner`) and returns its pid.
    static func start(_ argv: [String], environment: [String: String], logPath: String,
                      onExit: @escaping @Sendable (Int32, String) -> Void) throws -> Int32 {
        try Spawner.shared.run { try spawn(argv, environment: environment, logPath: logPath, onExit: onExit) }
    }

    /// Starts `argv` with `environment`, stdin from /dev/null, stdout and stderr appended
    /// to `logPath`, in a session of its own (a Ctrl-C at the daemon's terminal reaches the
    /// daemon, which stops its children in order). `onExit(pid, status)` runs on the reaper
    /// thread when the child has ended.
    private static func spawn(_ argv: [String], environment: [String: String], logPath: String,
                              onExit: @escaping @Sendable (Int32, String) -> Void) throws -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | spawnSetsid))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, cArgs, cEnv)
        guard rc == 0 else { throw Failure(program: argv[0], call: "posix_spawn", code: rc) }
        let child = pid
        let reaper = Thread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 {
                guard errno == EINTR else { onExit(child, "wait failed: errno \(errno)"); return }
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG (sys/wait.h macros).
            let signal = status & 0x7f
            onExit(child, signal == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(signal)")
        }
        reaper.name = "tandem-reap-\(child)"
        reaper.start()
        return child
    }
}

/// One thread that lives as long as the process and starts every child. The children's
/// parent-death signal (`setpriv --pdeathsig`) fires when the *thread* that forked them
/// ends (prctl(2) PR_SET_PDEATHSIG), and the threads async code runs on come and go: a
/// child started from one of them was killed when that thread retired.
private final class Spawner: @unchecked Sendable {
    static let shared = Spawner()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "tandem-spawner"
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on the spawner thread and waits for its result.
    func run<T>(_ body: @escaping () throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, Error>?
        condition.lock()
        jobs.append {
            result = Result { try body() }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return try result!.get()
    }
}
