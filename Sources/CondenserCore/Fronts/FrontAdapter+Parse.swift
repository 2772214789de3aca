extension FrontAdapter {
    /// Parses and validates a client's body. An object anywhere in the body that names a
    /// key twice is refused; errors name the field and what is wrong.
    public static func parse(bytes: some Collection<UInt8>) throws(FrontRequestError) -> FrontRequest {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes: bytes, duplicateKeys: .reject)
        } catch {
            if let key = error.duplicateKey {
                // Condenser would read the first and most upstreams the last: refused
                // anywhere in the body, since the whole body may be re-serialised.
                throw FrontRequestError(
                    "Invalid JSON body: duplicate key \"\(key)\" at \(error.path) (line \(error.line), column \(error.column)). "
                        + "JSON parsers disagree on which of two equal keys counts, so Condenser refuses the request rather than guess; send each key once.",
                    param: error.path, code: "duplicate_key"
                )
            }
            throw FrontRequestError("We could not parse the JSON body of your request: \(error.description).", code: "invalid_json")
        }
        return try request(body: value)
    }
}
