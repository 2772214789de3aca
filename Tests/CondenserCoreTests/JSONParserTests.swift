import Testing

@testable import CondenserCore

@Suite struct JSONParserTests {
    @Test func keepsMemberOrderAndDuplicates() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":2,"z":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "z"])
        #expect(value.serialized() == #"{"z":1,"a":2,"z":3}"#)
    }

    @Test func keepsNumberText() throws {
        let text = #"[1.0,1e-9,-0,12345678901234567890,3.14159E+10,0.10]"#
        #expect(try JSONParser.parse(text).serialized() == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#)
        #expect(value.stringValue == "a\"b\\c/d\n\té😀")
    }

    @Test func loneSurrogateBecomesReplacementCharacter() throws {
        #expect(try JSONParser.parse(#""x\ud800y""#).stringValue == "x\u{FFFD}y")
        #expect(try JSONParser.parse(#""\udc00""#).stringValue == "\u{FFFD}")
    }

    @Test func reportsWhereTheTextIsBroken() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{\"a\":\n  [1, 2,]}") }
        do {
            _ = try JSONParser.parse("{\"a\":\n  [1, 2,]}")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 9)
        }
    }

    @Test func namesWhereInTheDocumentTheTextIsBroken() {
        #expect { try JSONParser.parse(#"{"a":[{"b":[1,2,x]}],"c":0}"#) } throws: { error in
            (error as? JSONParseError)?.path == "a[0].b[2]"
        }
        let deep = String(repeating: #"{"k":["#, count: 200) + "x"
        #expect { try JSONParser.parse(deep) } throws: { error in
            (error as? JSONParseError)?.path == Array(repeating: "k[0]", count: 200).joined(separator: ".")
        }
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "-", "\"\u{01}\"", "\"abc", "[1] 2", "{\"a\":1,}", "\"\\x\"",
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func refusesNestingTooDeepInsteadOfCrashing() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
    }

    @Test func acceptsWhitespaceAroundValues() throws {
        let value = try JSONParser.parse(" \n\t{ \"a\" : [ true , false , null ] } \r\n")
        #expect(value.serialized() == #"{"a":[true,false,null]}"#)
    }
}
