import ArgumentParser
import LessonKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the lessons as a static HTML site: an index and one page per lesson.",
        discussion: """
        Pages show every sample as tabs (Python | Node.js | Swift), the expected output and, when a demo has run (learn-mp lesson, run or verify), its last output and process timeline. The site works offline and without JavaScript (search needs it); its stylesheet and scripts are site/style.css, site/tabs.js and site/search.js, copied when --out is another folder, and the search index is written beside the pages. Interface text follows each lesson's front matter `lang` (default zh-CN). After `make docs`, the footer links to the API documentation in site/docs.

        Nothing in --out is lost: each file is written to a temporary name and renamed into place; files export reads from are never written; and a file export did not write (the folder's .learn-mp-export manifest lists those it did, with a hash of each) is replaced only with --force. Every check runs before the first file is written.

        Examples:
          learn-mp verify all && learn-mp export
          learn-mp export --out /tmp/learn-mp-site
        """
    )

    @Option(help: ArgumentHelp("The site directory (default: <root>/site).", valueName: "dir"))
    var out: String?

    @Flag(help: "Replace files in the site directory that export did not write (or that changed since).")
    var force = false

    @OptionGroup var workspace: WorkspaceOptions

    func run() throws { try perform { try workspace.session().export(to: out, force: force) } }
}
