import CondenserCore
import HTTPTypes
import Hummingbird
import NIOCore

/// A front door as the server serves it: the adapter that reads its bodies, the shape of
/// Condenser's own errors on its routes, its upstream, and how a configured key goes
/// with a request.
struct ServedFront: Sendable {
    let adapter: any FrontAdapter.Type
    /// The JSON bytes of Condenser's own error answer on this front's routes.
    let errorBody:
        @Sendable (_ status: HTTPResponse.Status, _ type: String, _ message: String, _ param: String?, _ code: String?) -> [UInt8]
    /// Where this front's requests go.
    let upstream: @Sendable (CondenserConfiguration) -> UpstreamURL
    /// The upstream URL of a client's path and query.
    let upstreamURL: @Sendable (UpstreamURL, _ clientPathAndQuery: String) -> String
    /// The configured key as the header the upstream reads it from, if one is configured.
    let configuredKey: @Sendable (CondenserConfiguration) -> (name: String, value: String)?
    /// The (lowercased) headers that carry a client's own key: with any of them present,
    /// the configured key stays home.
    let clientKeyHeaders: Set<String>
    /// Reads what the upstream billed from a response body as it passes.
    let usageReader: BilledUsageReader.Dialect

    var profile: FrontProfile { adapter.profile }

    /// Condenser's own error as this front's client expects it.
    func response(for error: OpenAIError) -> Response {
        Response(
            status: error.status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: errorBody(error.status, error.type, error.message, error.param, error.code)))
        )
    }

    /// Parses and validates a body (`inflated` when it came gzip).
    func parse(_ raw: ByteBuffer, inflated: [UInt8]?) throws(OpenAIError) -> FrontRequest {
        let adapter = self.adapter
        let result = Result { () throws(FrontRequestError) in
            if let inflated { try adapter.parse(bytes: inflated) } else { try adapter.parse(bytes: raw.readableBytesView) }
        }
        switch result {
        case .success(let request): return request
        case .failure(let error): throw .badRequest(error.message, param: error.param, code: error.code)
        }
    }

    /// `POST /v1/chat/completions`: OpenAI's shape, the configured upstream, the key as a bearer token.
    static let openAIChat = ServedFront(
        adapter: OpenAIChatFront.self,
        errorBody: { status, type, message, param, code in
            OpenAIError(status: status, message: message, type: type, param: param, code: code).body
        },
        upstream: { $0.upstream },
        upstreamURL: { upstream, path in upstream.url(forClientPath: path) },
        configuredKey: { configuration in configuration.upstreamKey.map { ("Authorization", "Bearer \($0.value)") } },
        clientKeyHeaders: ["authorization"],
        usageReader: .openAIChat
    )

    /// `POST /v1/responses`: as chat, OpenAI's shape on the configured upstream with the
    /// key as a bearer token; billed usage read from a Responses answer or stream.
    static let openAIResponses = ServedFront(
        adapter: OpenAIResponsesFront.self,
        errorBody: openAIChat.errorBody,
        upstream: openAIChat.upstream,
        upstreamURL: openAIChat.upstreamURL,
        configuredKey: openAIChat.configuredKey,
        clientKeyHeaders: openAIChat.clientKeyHeaders,
        usageReader: .openAIResponses
    )

    /// `POST /v1/messages` (and `count_tokens`): Anthropic's shape, `upstream.anthropic_url`
    /// with the client's path whole, the key as `x-api-key`.
    static let anthropicMessages = ServedFront(
        adapter: AnthropicMessagesFront.self,
        errorBody: { status, _, message, _, _ in AnthropicError(status: status, message: message).body },
        upstream: { $0.anthropicUpstream },
        upstreamURL: { upstream, path in upstream.url(appendingClientPath: path) },
        configuredKey: { configuration in configuration.anthropicKey.map { ("x-api-key", $0.value) } },
        clientKeyHeaders: ["x-api-key", "authorization"],
        usageReader: .anthropic
    )
}
