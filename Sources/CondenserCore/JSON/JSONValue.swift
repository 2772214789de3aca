/// A JSON value that keeps everything a client sent: object members in their
/// original order (duplicates included) and numbers as their original text, so a
/// request re-serialised after compression differs only where it was compressed.
package enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number exactly as written (`1.0`, `1e-9`, `12345678901234567890`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, if this is a string.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The object, if this is an object.
    package var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, if this is an array.
    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The boolean, if this is a boolean.
    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number's integer value, if this is an integral number that fits.
    package var intValue: Int? {
        if case .number(let n) = self { return Int(n) }
        return nil
    }

    /// The number's value as a double, if this is a number.
    package var doubleValue: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name for the value's type, for error messages ("a string", "an array").
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Makes a number value from an integer.
    package static func int(_ value: Int) -> JSONValue { .number(String(value)) }
}

/// One member of a JSON object.
package struct JSONMember: Sendable, Hashable {
    package var key: String
    package var value: JSONValue

    package init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// A JSON object that keeps its members in the order they came.
///
/// Lookups are linear: request objects have a handful of keys, and keeping order
/// matters more than hashing here.
package struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    package var members: [JSONMember]

    package init(members: [JSONMember] = []) {
        self.members = members
    }

    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { JSONMember(key: $0.0, value: $0.1) }
    }

    /// The first member with this key; setting replaces it in place, or appends a new
    /// member; setting nil removes every member with the key.
    package subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            if let newValue {
                if let index = members.firstIndex(where: { $0.key == key }) {
                    members[index].value = newValue
                } else {
                    members.append(JSONMember(key: key, value: newValue))
                }
            } else {
                members.removeAll { $0.key == key }
            }
        }
    }

    var keys: [String] { members.map(\.key) }
    package var isEmpty: Bool { members.isEmpty }
}
