/// Why a chat request body was refused, in the shape of an OpenAI error.
public struct ChatRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sentence a user can act on: what is wrong and where.
    public var message: String
    /// The JSON path of the offending field (`messages[3].content`), when there is one.
    public var param: String?
    /// OpenAI's error code, when one fits.
    public var code: String?

    public init(_ message: String, param: String? = nil, code: String? = nil) {
        self.message = message
        self.param = param
        self.code = code
    }

    public var description: String { message }
}
