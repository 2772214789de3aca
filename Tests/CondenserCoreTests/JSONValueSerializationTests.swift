import Testing

@testable import CondenserCore

@Suite struct JSONValueSerializationTests {
    @Test func escapesOnlyWhatJSONRequires() {
        let value = JSONValue.string("quote\" slash\\ nl\n cr\r tab\t bell\u{07} é/😀")
        #expect(value.serialized() == #""quote\" slash\\ nl\n cr\r tab\t bell\u0007 é/😀""#)
    }

    @Test func roundTripsThroughTheParser() throws {
        let original: JSONValue = .object([
            "model": .string("gpt-4o"),
            "temperature": .number("0.70"),
            "top_k": .int(40),
            "messages": .array([.object(["role": .string("user"), "content": .null])]),
            "stream": .bool(true),
        ])
        #expect(try JSONParser.parse(original.serialized()) == original)
    }

    @Test func subscriptSetReplacesInPlaceAndNilRemoves() {
        var object: JSONObject = ["a": .int(1), "b": .int(2)]
        object["a"] = .int(3)
        object["c"] = .int(4)
        #expect(object.keys == ["a", "b", "c"])
        object["b"] = nil
        #expect(JSONValue.object(object).serialized() == #"{"a":3,"c":4}"#)
    }
}
