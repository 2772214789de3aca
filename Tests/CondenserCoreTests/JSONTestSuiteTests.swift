import Foundation
import Testing

@testable import CondenserCore

/// Nicolas Seriot's JSONTestSuite (github.com/nst/JSONTestSuite, test_parsing/, MIT licence),
/// copied into Fixtures/JSONTestSuite: `y_` texts every parser must accept, `n_` texts every
/// parser must refuse, `i_` texts on which RFC 8259 leaves the choice to the parser.
@Suite struct JSONTestSuiteTests {
    static let directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/JSONTestSuite")

    static func cases(_ prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Serialising an accepted value and parsing the text again gives the same value, and
    /// the same text again: what the proxy forwards reads back as what it parsed.
    static func expectRoundTrip(_ value: JSONValue, _ name: String) {
        let text = value.serializedBytes()
        do {
            let again = try JSONParser.parse(bytes: text)
            #expect(again == value, "\(name)")
            #expect(again.serializedBytes() == text, "\(name)")
        } catch {
            Issue.record("\(name): the serialised value does not parse again: \(error)")
        }
    }

    @Test func theSuiteIsThere() {
        #expect(Self.cases("y_").count == 95)
        #expect(Self.cases("n_").count == 188)
        #expect(Self.cases("i_").count == 35)
    }

    @Test(arguments: cases("y_"))
    func acceptsEveryValidText(_ name: String) throws {
        let value = try JSONParser.parse(bytes: Self.bytes(name))
        Self.expectRoundTrip(value, name)
    }

    /// The request path refuses duplicate keys: the valid texts with one are the only ones
    /// it refuses, and it names the key.
    @Test(arguments: cases("y_"))
    func theRequestPathRefusesOnlyDuplicateKeys(_ name: String) throws {
        let bytes = try Self.bytes(name)
        if name.hasPrefix("y_object_duplicated_key") {
            #expect { try JSONParser.parse(bytes: bytes, duplicateKeys: .reject) } throws: { error in
                (error as? JSONParseError)?.duplicateKey != nil
            }
        } else {
            _ = try JSONParser.parse(bytes: bytes, duplicateKeys: .reject)
        }
    }

    @Test(arguments: cases("n_"))
    func refusesEveryInvalidText(_ name: String) throws {
        let bytes = try Self.bytes(name)
        #expect(throws: JSONParseError.self, "\(name)") { try JSONParser.parse(bytes: bytes) }
    }

    /// The texts with an escaped lone or mismatched UTF-16 surrogate: accepted, each such
    /// escape read as U+FFFD, since a Swift String cannot hold a lone surrogate.
    static let escapedLoneSurrogates: Set = [
        "i_object_key_lone_2nd_surrogate.json", "i_string_1st_surrogate_but_2nd_missing.json",
        "i_string_1st_valid_surrogate_2nd_invalid.json", "i_string_incomplete_surrogate_and_escape_valid.json",
        "i_string_incomplete_surrogate_pair.json", "i_string_incomplete_surrogates_escape_valid.json",
        "i_string_invalid_lonely_surrogate.json", "i_string_invalid_surrogate.json",
        "i_string_inverted_surrogates_U+1D11E.json", "i_string_lone_second_surrogate.json",
    ]

    /// RFC 8259 leaves these to the parser; the choices, pinned so that changing one is deliberate:
    /// numbers of any size or exponent are accepted (kept as their text, nothing overflows);
    /// 500 nested arrays are within `maximumDepth`; escaped lone surrogates become U+FFFD; bytes
    /// that are not UTF-8 (invalid sequences, overlong forms, a UTF-8-encoded surrogate, Latin-1,
    /// UTF-16) and a byte order mark are refused, as a String cannot carry them unchanged.
    static func isAccepted(_ name: String) -> Bool {
        name.hasPrefix("i_number_") || name == "i_structure_500_nested_arrays.json" || escapedLoneSurrogates.contains(name)
    }

    /// Whichever the answer, it comes as a value or a thrown error, never a crash, and an
    /// accepted value round-trips.
    @Test(arguments: cases("i_"))
    func decidesEveryImplementationDefinedTextAsDocumented(_ name: String) throws {
        let bytes = try Self.bytes(name)
        guard Self.isAccepted(name) else {
            #expect(throws: JSONParseError.self, "\(name)") { try JSONParser.parse(bytes: bytes) }
            return
        }
        let value = try JSONParser.parse(bytes: bytes)
        Self.expectRoundTrip(value, name)
        if Self.escapedLoneSurrogates.contains(name) {
            #expect(value.serialized().contains("\u{FFFD}"), "\(name)")
        }
    }
}
