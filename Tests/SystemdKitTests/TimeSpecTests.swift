import Foundation
import Testing

@testable import SystemdKit

@Suite struct TimeSpecTests {
    let utc = TimeZone(identifier: "UTC")!
    /// 2026-11-21 18:30:15 UTC.
    let now = Date(timeIntervalSince1970: 1_795_285_815)

    func parse(_ text: String) throws -> Date { try TimeSpec.parse(text, now: now, timeZone: utc) }
    func utcDate(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = utc
        return calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
    }

    @Test func absoluteDatesAndTimes() throws {
        #expect(try parse("2026-11-21") == utcDate(2026, 11, 21))
        #expect(try parse("2026-11-20 09:14") == utcDate(2026, 11, 20, 9, 14))
        #expect(try parse("2026-11-20 09:14:30") == utcDate(2026, 11, 20, 9, 14, 30))
        #expect(try parse("2026-11-20T09:14:30") == utcDate(2026, 11, 20, 9, 14, 30))
        #expect(try parse("09:14") == utcDate(2026, 11, 21, 9, 14))
        #expect(try parse("@1795285815") == now)
    }

    @Test func readsInTheGivenTimeZone() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(try TimeSpec.parse("2026-11-21 10:00", now: now, timeZone: berlin) == utcDate(2026, 11, 21, 9, 0))
    }

    @Test func words() throws {
        #expect(try parse("now") == now)
        #expect(try parse("today") == utcDate(2026, 11, 21))
        #expect(try parse("Yesterday") == utcDate(2026, 11, 20))
        #expect(try parse("tomorrow") == utcDate(2026, 11, 22))
    }

    @Test func relativeTimes() throws {
        #expect(try parse("-2h") == now - 7200)
        #expect(try parse("+30min") == now + 1800)
        #expect(try parse("-1h30min") == now - 5400)
        #expect(try parse("-7d") == now - 7 * 86_400)
        #expect(try parse("-90") == now - 90)
        #expect(try parse("1 hour ago") == now - 3600)
        #expect(try parse("2 weeks ago") == now - 14 * 86_400)
        #expect(try parse("5m ago") == now - 300)
        #expect(try parse("-1M") == now - 30.44 * 86_400)
    }

    @Test func rejectsNonsense() {
        for text in ["", "soon", "2026-13-01", "2026-11-21 25:00", "-2parsecs", "21-11-2026", "ago", "2026-11-21 09"] {
            #expect(throws: TimeSpecError.self, "\(text)") { try parse(text) }
        }
    }
}
