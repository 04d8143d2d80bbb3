/// A small syntax highlighter for Python, JavaScript and Swift: keywords, strings, comments,
/// numbers and built-in names.
public enum Highlighter {
    static let keywords: [String: Set<String>] = [
        "python": ["def", "class", "return", "if", "elif", "else", "for", "while", "in", "import", "from", "as", "with",
                   "try", "except", "finally", "raise", "not", "and", "or", "is", "None", "True", "False", "lambda",
                   "yield", "pass", "break", "continue", "global", "nonlocal", "async", "await", "del", "assert"],
        "javascript": ["const", "let", "var", "function", "return", "if", "else", "for", "while", "of", "in", "new",
                       "class", "extends", "import", "from", "export", "require", "async", "await", "try", "catch",
                       "finally", "throw", "true", "false", "null", "undefined", "this", "typeof", "break", "continue"],
        "swift": ["import", "let", "var", "func", "class", "struct", "enum", "protocol", "extension", "return", "if",
                  "else", "guard", "for", "in", "while", "repeat", "switch", "case", "default", "do", "try", "catch",
                  "throw", "throws", "defer", "true", "false", "nil", "self", "super", "init", "override", "open",
                  "public", "private", "final", "static", "where", "as", "is", "break", "continue"],
    ]

    /// What a highlighted token is.
    enum Kind: Sendable {
        case keyword, string, comment, number, type, function
    }

    /// A piece of highlighted code: its text and its kind (nil: plain text).
    struct Token: Sendable, Equatable {
        var kind: Kind?
        var text: String
    }

    /// `code` with ANSI colours for `language` (`python`, `javascript`, `swift`); unchanged
    /// for other languages or when `style` is off.
    public static func highlight(_ code: String, language: String, style: Style) -> String {
        guard style.enabled, let tokens = tokens(code, language: language) else { return code }
        return tokens.map { token -> String in
            switch token.kind {
            case .keyword: style.magenta(token.text)
            case .string: style.green(token.text)
            case .comment: style.dim(token.text)
            case .number: style.cyan(token.text)
            case .type: style.yellow(token.text)
            case .function: style.blue(token.text)
            case nil: token.text
            }
        }.joined()
    }

    /// `code` split into tokens for `language` (`python`/`py`, `javascript`/`js`, `swift`);
    /// nil for other languages. The tokens' texts joined are `code`.
    static func tokens(_ code: String, language: String) -> [Token]? {
        let language = language == "py" ? "python" : language == "js" ? "javascript" : language
        guard let words = keywords[language] else { return nil }
        let comment = language == "python" ? "#" : "//"
        var tokens: [Token] = []
        func add(_ kind: Kind?, _ text: some StringProtocol) {
            if kind == nil, let last = tokens.indices.last, tokens[last].kind == nil {
                tokens[last].text += text
            } else {
                tokens.append(Token(kind: kind, text: String(text)))
            }
        }
        let characters = Array(code)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if matches(characters, index, comment) {
                var end = index
                while end < characters.count, characters[end] != "\n" { end += 1 }
                add(.comment, String(characters[index..<end]))
                index = end
            } else if character == "\"" || character == "'" || (character == "`" && language == "javascript") {
                let triple = language == "python" && matches(characters, index, String(repeating: character, count: 3))
                let close = triple ? String(repeating: character, count: 3) : String(character)
                var end = index + close.count
                while end < characters.count, !matches(characters, end, close) {
                    if characters[end] == "\\" { end += 1 }
                    if !triple, character != "`", end < characters.count, characters[end] == "\n" { break }
                    end += 1
                }
                end = min(characters.count, end + close.count)
                add(.string, String(characters[index..<end]))
                index = end
            } else if character.isNumber, index == 0 || !(characters[index - 1].isLetter || characters[index - 1] == "_") {
                var end = index
                while end < characters.count, characters[end].isNumber || characters[end] == "." || characters[end] == "_" { end += 1 }
                add(.number, String(characters[index..<end]))
                index = end
            } else if character.isLetter || character == "_" || character == "@" {
                var end = index + 1
                while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
                let word = String(characters[index..<end])
                let call = end < characters.count && characters[end] == "("
                add(words.contains(word) ? .keyword : call && word.first!.isUppercase ? .type : call ? .function : nil, word)
                index = end
            } else {
                add(nil, String(character))
                index += 1
            }
        }
        return tokens
    }

    private static func matches(_ characters: [Character], _ index: Int, _ text: String) -> Bool {
        var position = index
        for character in text {
            guard position < characters.count, characters[position] == character else { return false }
            position += 1
        }
        return true
    }
}
