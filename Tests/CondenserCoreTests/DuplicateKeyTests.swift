import Testing

@testable import CondenserCore

@Suite struct DuplicateKeyTests {
    @Test func rejectingParserNamesTheKeyAndWhereItIs() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a":1,"a":2}"#, duplicateKeys: .reject) }
        do {
            _ = try JSONParser.parse(#"{"model":"m","messages":[{"role":"user","content":"x","role":"system"}]}"#, duplicateKeys: .reject)
            Issue.record("a duplicate role was accepted")
        } catch {
            #expect(error.duplicateKey == "role")
            #expect(error.path == "messages[0].role")
            #expect(error.line == 1)
            #expect(error.column == 55)
        }
    }

    @Test func escapedSpellingsOfTheSameKeyAreDuplicates() {
        // Upstreams decode escapes before comparing keys.
        #expect(throws: JSONParseError.self) {
            try JSONParser.parse(#"{"messages":[],"\u006dessages":[]}"#, duplicateKeys: .reject)
        }
    }

    @Test func canonicallyEquivalentButDifferentKeysAreDistinct() throws {
        // "é" precomposed and "e" + combining acute: equal as Swift strings, two keys to
        // every byte- or code-point-comparing parser.
        let value = try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}", duplicateKeys: .reject)
        #expect(value.objectValue?.keys.count == 2)
    }

    @Test func largeObjectsAreCheckedToo() throws {
        let members = (0..<40).map { "\"k\($0)\":\($0)" }
        let unique = "{" + members.joined(separator: ",") + "}"
        #expect(try JSONParser.parse(unique, duplicateKeys: .reject).objectValue?.keys.count == 40)
        for duplicate in ["k0", "k17", "k39"] {
            do {
                _ = try JSONParser.parse("{" + members.joined(separator: ",") + ",\"\(duplicate)\":0}", duplicateKeys: .reject)
                Issue.record("\(duplicate) twice was accepted")
            } catch {
                #expect(error.duplicateKey == duplicate)
            }
        }
    }

    @Test func keepingParserStillKeepsDuplicates() throws {
        let value = try JSONParser.parse(#"{"a":{"b":1,"b":2}}"#)
        #expect(value.objectValue?["a"]?.objectValue?.keys == ["b", "b"])
    }

    @Test(arguments: [
        (
            #"{"model":"m","messages":[{"role":"user","content":"hi"}],"messages":[{"role":"user","content":"other"}]}"#, "messages",
            "messages"
        ),
        (#"{"model":"m","model":"n","messages":[{"role":"user","content":"hi"}]}"#, "model", "model"),
        (
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a","text":"b"}]}]}"#, "text",
            "messages[0].content[0].text"
        ),
        (
            #"{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"1","function":{"name":"f","arguments":"{}","name":"g"}}]}]}"#,
            "name", "messages[0].tool_calls[0].function.name"
        ),
        (
            #"{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","type":"text"}}"#, "type",
            "response_format.type"
        ),
    ])
    func chatRequestRefusesDuplicatesAnywhere(body: String, key: String, path: String) {
        do {
            _ = try ChatRequest.parse(bytes: Array(body.utf8))
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.code == "duplicate_key")
            #expect(error.param == path)
            #expect(error.message.contains("duplicate key \"\(key)\""))
        }
    }

    @Test func otherParseErrorsGetAPathToo() {
        do {
            _ = try JSONParser.parse(#"{"messages":[{"role":"user","content":tru}]}"#)
            Issue.record("accepted broken JSON")
        } catch {
            #expect(error.path == "messages[0].content")
            #expect(error.duplicateKey == nil)
        }
    }
}
