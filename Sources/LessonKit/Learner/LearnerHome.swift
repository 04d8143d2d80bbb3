/// Where a learner's own things live, outside the repository: copies to play with and
/// progress. `$LEARN_MP_HOME`, else `$XDG_DATA_HOME/learn-mp`, else `~/.local/share/learn-mp`.
public struct LearnerHome: Sendable {
    /// The directory.
    public var path: String

    /// The learner home of `environment` (this process's by default).
    public init(environment: (String) -> String? = environmentValue) {
        func value(_ name: String) -> String? { environment(name).flatMap { $0.isEmpty ? nil : $0 } }
        if let home = value("LEARN_MP_HOME") {
            path = FileSystem.absolute(home)
        } else if let data = value("XDG_DATA_HOME") {
            path = FileSystem.absolute(data) + "/learn-mp"
        } else {
            path = (value("HOME") ?? "/tmp") + "/.local/share/learn-mp"
        }
    }

    /// Creates a learner home at `path`.
    public init(path: String) { self.path = FileSystem.absolute(path) }

    /// The folder of the playground package: one subfolder per demo copy.
    public var playground: String { path + "/play" }

    /// The progress file.
    public var progressFile: String { path + "/progress.json" }
}
