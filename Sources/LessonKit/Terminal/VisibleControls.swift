/// `text` safe to show on a terminal: control characters other than newline and tab become
/// visible symbols (ESC `␛`, carriage return `␍`, NUL `␀`: the Control Pictures U+2400–U+2421;
/// C1 controls `<U+009B>`), so a program's output cannot move the cursor, clear the screen or
/// change colours. Only for showing: checks compare the raw text.
public func visibleControls(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isHiddenControl) else { return text }
    var result = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if !isHiddenControl(scalar) {
            result.append(scalar)
        } else if scalar.value < 0x20 {
            result.append(Unicode.Scalar(0x2400 + scalar.value)!)
        } else if scalar.value == 0x7F {
            result.append("\u{2421}")
        } else {
            result.append(contentsOf: "<U+\(String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4))>".unicodeScalars)
        }
    }
    return String(result)
}

private func isHiddenControl(_ scalar: Unicode.Scalar) -> Bool {
    (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
