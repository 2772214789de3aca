import HTTPTypes

/// Checks the client token Condenser requires when one is configured, and takes the
/// header that carried it out of the request: that header is Condenser's credential,
/// not the upstream's, so it never goes upstream.
///
/// The token is accepted as `Authorization: Bearer <token>` or `x-api-key: <token>`.
/// Only a header whose value matches is removed; any other `Authorization` goes
/// upstream as before, and without one the configured upstream key is attached.
enum ClientAuthentication {
    static let apiKeyHeader = HTTPField.Name("x-api-key")!

    /// The request's headers without the one(s) that carried the token, or the 401 to answer.
    static func authenticate(_ fields: HTTPFields, token: ClientToken) -> Result<HTTPFields, OpenAIError> {
        let expected = Array(token.value.utf8)
        var presented = false
        var matched = false
        var remaining = HTTPFields()
        remaining.reserveCapacity(fields.count)
        for field in fields {
            let candidate: Substring?
            switch field.name {
            case .authorization:
                candidate = bearerCredential(field.value)
            case apiKeyHeader:
                candidate = Substring(field.value).trimmingSpaces
            default:
                candidate = nil
            }
            if let candidate {
                presented = true
                if constantTimeEquals(candidate.utf8, expected) {
                    matched = true
                    continue
                }
            }
            remaining.append(field)
        }
        if matched { return .success(remaining) }
        let where_ = "security.client_token_file or the client-token credential"
        let message =
            presented
            ? "The client token does not match the one Condenser is configured with (\(where_))."
            : "Condenser requires a client token: send it as \"Authorization: Bearer <token>\" or \"x-api-key: <token>\" (\(where_))."
        return .failure(OpenAIError(status: .unauthorized, message: message, type: "invalid_request_error", code: "invalid_api_key"))
    }

    /// The credentials of a `Bearer` authorization, scheme matched case-insensitively.
    static func bearerCredential(_ value: String) -> Substring? {
        let text = Substring(value).trimmingSpaces
        guard text.utf8.count > 7, text.prefix(6).lowercased() == "bearer", text.utf8.dropFirst(6).first == UInt8(ascii: " ") else {
            return nil
        }
        return text.dropFirst(7).trimmingSpaces
    }

    /// Compares in time that depends only on the expected token's length, so a client
    /// can't find the token byte by byte by timing refusals.
    static func constantTimeEquals(_ presented: some Collection<UInt8>, _ expected: [UInt8]) -> Bool {
        let given = Array(presented)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<expected.count {
            let byte = index < given.count ? given[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0 && !expected.isEmpty
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
