import ArgumentParser
import TandemConfig

/// The config file a command works on: FILE, or the node's config under `--root`. An
/// unreadable file is a usage error (exit 2), reported as `tandem COMMAND: why`.
func readConfig(_ file: String?, root: RootOptions, command: String) throws -> (path: String, bytes: [UInt8]) {
    let path = file ?? root.paths.config
    do {
        return (path, try ConfigFileReader.read(path))
    } catch {
        printError("tandem \(command): \(error)")
        throw ExitCode(2)
    }
}
