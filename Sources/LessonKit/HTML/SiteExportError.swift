/// Why `learn-mp export` wrote nothing: each case names the path and what to do.
public enum SiteExportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A folder is where a file of the site goes.
    case directoryInTheWay(path: String)
    /// A file is where the site folder, or a folder of it, goes.
    case notAFolder(path: String)
    /// The file to write is one export reads from (through a link, or the same file under
    /// another name).
    case isSource(path: String, source: String)
    /// The file would go into a folder export reads from.
    case intoSources(path: String, folder: String)
    /// Files already in the site folder that export did not write, or that changed since.
    case notWrittenByExport(paths: [String], directory: String)

    public var description: String {
        switch self {
        case .directoryInTheWay(let path):
            "cannot write \(path): it is a directory. Move it away or choose another --out."
        case .notAFolder(let path):
            "cannot write into \(path): it is a file, not a folder. Choose another --out."
        case .isSource(let path, let source):
            "refusing to write \(path): it is \(source), which export reads from. Choose another --out."
        case .intoSources(let path, let folder):
            "refusing to write \(path): that folder is \(folder), which export reads from. Choose another --out."
        case .notWrittenByExport(let paths, let directory):
            "not replacing \(paths.count == 1 ? "a file" : "\(paths.count) files") in \(directory) that export did not write "
                + "(or that changed since): \(paths.joined(separator: ", ")). "
                + "Move \(paths.count == 1 ? "it" : "them") away, or pass --force to replace \(paths.count == 1 ? "it" : "them")."
        }
    }
}
