/// One step into a JSON value: an object member by key, or an array element by index.
enum JSONPathComponent: Sendable, Hashable, CustomStringConvertible {
    case key(String)
    case index(Int)

    var description: String {
        switch self {
        case .key(let key): return "." + key
        case .index(let index): return "[\(index)]"
        }
    }
}

/// Where a value lives inside a request body, from its top: `messages[3].content[0].text`.
typealias JSONPath = [JSONPathComponent]

extension JSONValue {
    /// The value at `path`, or nil when a step is missing or of the wrong kind.
    subscript(path path: some Collection<JSONPathComponent>) -> JSONValue? {
        var current = self
        for step in path {
            switch (step, current) {
            case (.key(let key), .object(let object)):
                guard let next = object[key] else { return nil }
                current = next
            case (.index(let index), .array(let array)):
                guard array.indices.contains(index) else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Replaces the value at `path`; returns false, changing nothing, when the path
    /// does not lead to an existing value.
    @discardableResult
    mutating func replace(at path: some Collection<JSONPathComponent>, with value: JSONValue) -> Bool {
        guard let step = path.first else {
            self = value
            return true
        }
        let rest = path.dropFirst()
        switch (step, self) {
        case (.key(let key), .object(var object)):
            guard let index = object.members.firstIndex(where: { $0.key == key }) else { return false }
            self = .null // drop this reference so the child is mutated in place, not copied
            let done = object.members[index].value.replace(at: rest, with: value)
            self = .object(object)
            return done
        case (.index(let index), .array(var array)):
            guard array.indices.contains(index) else { return false }
            self = .null
            let done = array[index].replace(at: rest, with: value)
            self = .array(array)
            return done
        default:
            return false
        }
    }
}

extension Array where Element == JSONPathComponent {
    /// `messages[3].content[0].text`.
    var rendered: String {
        var text = ""
        for step in self {
            if case .key(let key) = step, text.isEmpty { text = key } else { text += step.description }
        }
        return text
    }
}
