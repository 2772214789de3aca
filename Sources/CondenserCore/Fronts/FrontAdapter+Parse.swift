extension FrontAdapter {
    /// Parses and validates a client's body. An object anywhere in the body that names a
    /// key twice is refused; errors name the field and what is wrong.
    package static func parse(bytes: some Collection<UInt8>) throws(FrontRequestError) -> FrontRequest {
        try request(body: FrontRequestError.parseBody(bytes))
    }
}

extension FrontRequestError {
    /// A client's body as JSON, or the refusal to send back: invalid JSON, or an object
    /// that names a key twice anywhere in it (Condenser would read the first and most
    /// upstreams the last, and the whole body may be re-serialised).
    static func parseBody(_ bytes: some Collection<UInt8>) throws(FrontRequestError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes: bytes, duplicateKeys: .reject)
        } catch {
            if let key = error.duplicateKey {
                throw FrontRequestError(
                    "Invalid JSON body: duplicate key \"\(key)\" at \(error.path) (line \(error.line), column \(error.column)). "
                        + "JSON parsers disagree on which of two equal keys counts, so Condenser refuses the request rather than guess; send each key once.",
                    param: error.path, code: "duplicate_key"
                )
            }
            throw FrontRequestError("We could not parse the JSON body of your request: \(error.description).", code: "invalid_json")
        }
    }
}
