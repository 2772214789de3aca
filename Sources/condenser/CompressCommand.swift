import ArgumentParser
import CondenserCore
import Foundation

/// `condenser compress`: runs the pipeline on a request body offline and shows what it did.
struct CompressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress",
        abstract: "Compress a chat request offline and print it, or a diff, with a per-stage savings table.",
        discussion: """
            FILE holds one chat.completions request body, or JSON lines of {"request": ...} objects \
            (an evaluation corpus, for instance), each compressed in turn through one pipeline, as the \
            proxy would. No upstream is involved. The table goes to standard error, so the compressed \
            request on standard output can be piped on.
            """
    )

    @Argument(help: "A JSON request body, or a JSONL file of {\"request\": ...} lines.")
    var file: String

    @Flag(help: "Print a unified diff of the message texts instead of the compressed request.")
    var diff = false

    @Option(help: "The compression mode: off, safe or aggressive.")
    var mode: CompressionMode = .safe

    @Option(help: "Count tokens for this model instead of the request's own.")
    var model: String?

    @Option(help: "Requests with fewer tokens pass untouched.")
    var minTokens: Int?

    @Option(help: "The time budget in milliseconds. Offline, the default is generous; the proxy's is 50.")
    var timeBudgetMs = 10_000

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("Cannot read '\(file)'.")
        }
        var settings = PipelineSettings()
        if let minTokens { settings.minimumTokens = minTokens }
        settings.timeBudgetMilliseconds = timeBudgetMs
        do {
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        let pipeline = CompressionPipeline.standard(settings: settings)
        for (number, body) in try requests(in: Array(data)).enumerated() {
            var request = body
            if let model { request.body["model"] = .string(model) }
            let outcome = pipeline.compress(request, mode: mode)
            if diff {
                print(CompressionReport.diff(original: request, compressed: outcome.chatRequest), terminator: "")
            } else {
                print(String(decoding: outcome.body.serializedBytes(), as: UTF8.self))
            }
            let heading = number > 0 || file.hasSuffix(".jsonl") ? "request \(number + 1)\n" : ""
            FileHandle.standardError.write(Data((heading + CompressionReport.stageTable(outcome)).utf8))
        }
    }

    /// The request bodies of a file: one JSON body, or JSON lines with a `request` member.
    func requests(in bytes: [UInt8]) throws -> [ChatRequest] {
        if let value = try? JSONParser.parse(bytes: bytes), value.objectValue?["request"] == nil {
            return [try parse(value, where: file)]
        }
        var requests: [ChatRequest] = []
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes: line)
            } catch {
                throw ValidationError("\(file):\(number + 1): \(error.description)")
            }
            guard let body = value.objectValue?["request"] else {
                throw ValidationError("\(file):\(number + 1): expected an object with a \"request\" member.")
            }
            requests.append(try parse(body, where: "\(file):\(number + 1)"))
        }
        guard !requests.isEmpty else { throw ValidationError("\(file) holds no request.") }
        return requests
    }

    func parse(_ value: JSONValue, where place: String) throws -> ChatRequest {
        do {
            return try ChatRequest.validate(value)
        } catch {
            throw ValidationError("\(place): \(error.message)")
        }
    }
}

extension CompressionMode: ExpressibleByArgument {}
