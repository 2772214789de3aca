/// `POST /v1/chat/completions`: OpenAI's chat format, counted exactly in the model's
/// encoding, cached the OpenAI way.
package enum OpenAIChatFront: FrontAdapter {
    package static let profile = FrontProfile(name: "openai-chat", tokenCount: .exact, cachePricing: .openAI)

    package static func request(body: JSONValue) throws(FrontRequestError) -> FrontRequest {
        let chat: ChatRequest
        do {
            chat = try ChatRequest.validate(body)
        } catch {
            throw FrontRequestError(error.message, param: error.param, code: error.code)
        }
        return request(chat)
    }

    /// The request of an already-validated chat request.
    static func request(_ chat: ChatRequest) -> FrontRequest {
        FrontRequest(
            profile: profile, body: .object(chat.jsonObject), model: chat.model, conversation: Conversation(openAIChat: chat),
            messageValues: chat.messages.map { .object($0.object) })
    }
}
