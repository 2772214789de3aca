import Foundation

/// Parses the subset of journalctl's `--since`/`--until` time syntax that people type.
///
/// - Absolute: `2026-11-21`, `2026-11-21 09:14`, `2026-11-21 09:14:30` (a `T` may stand
///   for the space), `09:14` and `09:14:30` (today), `@1763716440` (Unix seconds).
/// - Words: `now`, `today`, `yesterday`, `tomorrow` (the last three at midnight).
/// - Relative: `-2h`, `+30min`, `-1h30min`, `-7d`, `2 hours ago`, `1 week ago`.
///   Units: `us`, `ms`, `s`/`sec`/`second(s)`, `m`/`min`/`minute(s)`, `h`/`hr`/`hour(s)`,
///   `d`/`day(s)`, `w`/`week(s)`, `M`/`month(s)` (30.44 days), `y`/`year(s)` (365.25 days).
package enum TimeSpec {
    /// The moment `text` names, relative to `now` and read in `timeZone`.
    package static func parse(_ text: String, now: Date = Date(), timeZone: TimeZone = .current) throws(TimeSpecError) -> Date {
        let spec = text.trimmingCharacters(in: .whitespaces)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        switch spec.lowercased() {
        case "now": return now
        case "today": return calendar.startOfDay(for: now)
        case "yesterday": return calendar.date(byAdding: .day, value: -1, to: calendar.startOfDay(for: now))!
        case "tomorrow": return calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: now))!
        default: break
        }
        if spec.hasPrefix("@"), let seconds = Double(spec.dropFirst()) {
            return Date(timeIntervalSince1970: seconds)
        }
        if spec.hasPrefix("-") || spec.hasPrefix("+") {
            guard let seconds = relativeSeconds(spec.dropFirst()) else { throw TimeSpecError(text: text) }
            return now.addingTimeInterval(spec.hasPrefix("-") ? -seconds : seconds)
        }
        if spec.lowercased().hasSuffix(" ago") {
            guard let seconds = relativeSeconds(spec.dropLast(4)) else { throw TimeSpecError(text: text) }
            return now.addingTimeInterval(-seconds)
        }
        if let date = absolute(spec, now: now, calendar: calendar) { return date }
        throw TimeSpecError(text: text)
    }

    private static let unitSeconds: [String: Double] = {
        var table: [String: Double] = [:]
        func add(_ names: [String], _ seconds: Double) { for name in names { table[name] = seconds } }
        add(["us", "usec"], 1e-6)
        add(["ms", "msec"], 1e-3)
        add(["s", "sec", "secs", "second", "seconds"], 1)
        add(["m", "min", "mins", "minute", "minutes"], 60)
        add(["h", "hr", "hrs", "hour", "hours"], 3600)
        add(["d", "day", "days"], 86_400)
        add(["w", "week", "weeks"], 7 * 86_400)
        add(["M", "month", "months"], 30.44 * 86_400)
        add(["y", "year", "years"], 365.25 * 86_400)
        return table
    }()

    /// Sums "1h30min", "2 hours", "90" (seconds) into seconds.
    private static func relativeSeconds(_ text: Substring) -> Double? {
        var total = 0.0
        var rest = text.drop(while: { $0 == " " })
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix(while: { $0.isNumber || $0 == "." })
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count).drop(while: { $0 == " " })
            let unit = rest.prefix(while: { $0.isLetter })
            rest = rest.dropFirst(unit.count).drop(while: { $0 == " " })
            if unit.isEmpty {
                total += value
                continue
            }
            // "M" is months and "m" minutes; other units ignore case.
            guard let seconds = unitSeconds[String(unit)] ?? unitSeconds[unit.lowercased()] else { return nil }
            total += value * seconds
        }
        return total
    }

    private static func absolute(_ spec: String, now: Date, calendar: Calendar) -> Date? {
        let parts = spec.split(whereSeparator: { $0 == " " || $0 == "T" })
        var components = DateComponents()
        var timePart: Substring?
        switch parts.count {
        case 1 where parts[0].contains(":"):
            let today = calendar.dateComponents([.year, .month, .day], from: now)
            (components.year, components.month, components.day) = (today.year, today.month, today.day)
            timePart = parts[0]
        case 1, 2:
            let date = parts[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard date.count == 3, let year = date[0], let month = date[1], let day = date[2],
                parts[0].count == 10
            else { return nil }
            (components.year, components.month, components.day) = (year, month, day)
            timePart = parts.count == 2 ? parts[1] : nil
        default:
            return nil
        }
        components.hour = 0
        components.minute = 0
        components.second = 0
        if let timePart {
            let time = timePart.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard time.count == 2 || time.count == 3, time.allSatisfy({ $0 != nil }) else { return nil }
            components.hour = time[0]
            components.minute = time[1]
            components.second = time.count == 3 ? time[2] : 0
        }
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

/// A `--since`/`--until` value that is not a time journalctl-style parsing understands.
package struct TimeSpecError: Error, Equatable, CustomStringConvertible {
    var text: String
    package var description: String { "cannot parse time '\(text)'" }
}
