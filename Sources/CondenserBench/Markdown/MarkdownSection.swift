import Foundation

/// A bench's figures as a section of docs/BENCHMARKS.md: a heading, the command that
/// reproduces them, the machine they were measured on, optional lines of text, and a table.
package struct MarkdownSection: Sendable, Equatable {
    var title: String
    var command: String
    var machine: MachineFacts
    var notes: [String]
    var header: [String]
    var rows: [[String]]

    init(title: String, command: String, machine: MachineFacts, notes: [String] = [], header: [String], rows: [[String]]) {
        self.title = title
        self.command = command
        self.machine = machine
        self.notes = notes
        self.header = header
        self.rows = rows
    }

    /// The section, ending with a blank line so that sections concatenate into one document.
    package func render() -> String {
        var out = "## \(title)\n\n"
        out += "```sh\n\(command)\n```\n\n"
        out += machine.sentence + "\n\n"
        for note in notes {
            out += Self.escapeText(note) + "\n\n"
        }
        out += Self.row(header) + "\n"
        out += "|" + header.map { _ in " --- |" }.joined() + "\n"
        for row in rows {
            // Short rows get empty cells: a table row must have as many cells as the header.
            let cells = row + Array(repeating: "", count: max(0, header.count - row.count))
            out += Self.row(cells) + "\n"
        }
        return out + "\n"
    }

    static func row(_ cells: [String]) -> String {
        "|" + cells.map { " " + escapeCell($0) + " |" }.joined()
    }

    /// A cell's text: a `|` would end the cell, a newline the row.
    static func escapeCell(_ text: String) -> String {
        escapeText(text).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// Plain text whose `*`, `_`, `<` and backquotes stay as typed instead of becoming markup.
    static func escapeText(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_<".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}

/// Where figures were measured: cores, CPU, build configuration and date.
package struct MachineFacts: Sendable, Equatable {
    var cores: Int
    var cpu: String?
    var build: String
    var date: String

    init(cores: Int, cpu: String?, build: String, date: String) {
        self.cores = cores
        self.cpu = cpu
        self.build = build
        self.date = date
    }

    /// This process's machine, build and day (UTC).
    package static func current(now: Date = Date()) -> MachineFacts {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return MachineFacts(
            cores: ProcessInfo.processInfo.activeProcessorCount, cpu: cpuModel(), build: build, date: formatter.string(from: now))
    }

    /// The first "model name" of /proc/cpuinfo, if there is one.
    static func cpuModel() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        else { return nil }
        let model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return model.isEmpty ? nil : model
    }

    var sentence: String {
        let processor = cpu.map { " (\($0))" } ?? ""
        return "Measured on \(cores) \(cores == 1 ? "core" : "cores")\(processor), \(build) build, \(date)."
    }
}

/// The command line that reproduces a bench's figures: `condenser` and the arguments it
/// was given, without `--markdown`, which changes the format and not the figures.
package func reproducingCommand(_ arguments: [String] = CommandLine.arguments) -> String {
    (["condenser"] + arguments.dropFirst().filter { $0 != "--markdown" }).map(shellQuoted).joined(separator: " ")
}

func shellQuoted(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,@+".contains($0) }
    return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
