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

    /// Either answer is allowed; whichever it is comes as a value or a thrown error, never a
    /// crash, and an accepted value round-trips.
    @Test(arguments: cases("i_"))
    func decidesEveryImplementationDefinedText(_ name: String) throws {
        let bytes = try Self.bytes(name)
        if let value = try? JSONParser.parse(bytes: bytes) {
            Self.expectRoundTrip(value, name)
        }
    }
}
