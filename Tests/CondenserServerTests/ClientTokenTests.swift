import CondenserTestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import CondenserServer

#if canImport(Glibc)
import Glibc
#endif

/// The client token, remote access, and what goes upstream with each.
@Suite struct ClientTokenTests {
    static let token = "cnd-token-4f1c"

    static func withToken(_ configuration: inout CondenserConfiguration) {
        configuration.clientToken = ClientToken(value: token, source: "test")
        configuration.upstreamKey = UpstreamKey(value: "sk-configured", source: "test")
    }

    @Test func aClientWithoutTheTokenIsRefusedAndNothingGoesUpstream() async throws {
        try await ProxyHarness.run(configure: Self.withToken) { proxy in
            let cases: [[(String, String)]] = [
                [],
                [("Authorization", "Bearer wrong")],
                [("x-api-key", "wrong")],
                [("Authorization", "Basic \(Self.token)")],
                [("Authorization", "Bearer \(Self.token)x")],
                [("Authorization", "Bearer \(Self.token.dropLast())")],
                [("Authorization", "Bearer sk-user")],
            ]
            for headers in cases {
                let answer = try await proxy.send(.GET, "/v1/models", headers: headers)
                #expect(answer.status == 401, "\(headers)")
                #expect(answer.body.text.contains(#""code":"invalid_api_key""#))
                #expect(!answer.body.text.contains(Self.token))
            }
            let health = try await proxy.send(.GET, "/healthz")
            #expect(health.status == 401)
            #expect(proxy.upstream.received.isEmpty)
        }
    }

    @Test func theTokenHeaderIsNotForwardedAndTheConfiguredKeyIs() async throws {
        try await ProxyHarness.run(configure: Self.withToken) { proxy in
            for headers in [
                [("Authorization", "Bearer \(Self.token)")], [("authorization", "bearer  \(Self.token) ")], [("x-api-key", Self.token)],
            ] {
                let answer = try await proxy.send(.GET, "/v1/models", headers: headers)
                #expect(answer.status == 200, "\(headers)")
                let sent = try #require(proxy.upstream.received.last)
                #expect(sent.headers[.authorization] == "Bearer sk-configured")
                #expect(sent.headers[values: .authorization].count == 1)
                #expect(sent.headers[ClientAuthentication.apiKeyHeader] == nil)
            }
        }
    }

    @Test func aClientsOwnKeyBesideTheTokenGoesUpstream() async throws {
        try await ProxyHarness.run(configure: Self.withToken) { proxy in
            let answer = try await proxy.send(
                .GET, "/v1/models", headers: [("x-api-key", Self.token), ("Authorization", "Bearer sk-user")])
            #expect(answer.status == 200)
            let sent = try #require(proxy.upstream.received.last)
            #expect(sent.headers[values: .authorization] == ["Bearer sk-user"])
            #expect(sent.headers[ClientAuthentication.apiKeyHeader] == nil)
        }
    }

    @Test func withoutATokenLoopbackClientsAreServedAsBefore() async throws {
        try await ProxyHarness.run(configure: { $0.upstreamKey = UpstreamKey(value: "sk-configured", source: "test") }) { proxy in
            let keyless = try await proxy.send(.GET, "/v1/models")
            #expect(keyless.status == 200)
            #expect(proxy.upstream.received.last?.headers[.authorization] == "Bearer sk-configured")
            let keyed = try await proxy.send(.GET, "/v1/models", headers: [("Authorization", "Bearer sk-user")])
            #expect(keyed.status == 200)
            #expect(proxy.upstream.received.last?.headers[.authorization] == "Bearer sk-user")
        }
    }

    @Test func comparisonIsExact() {
        #expect(ClientAuthentication.constantTimeEquals("abc".utf8, Array("abc".utf8)))
        #expect(!ClientAuthentication.constantTimeEquals("abd".utf8, Array("abc".utf8)))
        #expect(!ClientAuthentication.constantTimeEquals("ab".utf8, Array("abc".utf8)))
        #expect(!ClientAuthentication.constantTimeEquals("abcd".utf8, Array("abc".utf8)))
        #expect(!ClientAuthentication.constantTimeEquals("".utf8, []))
        #expect(ClientAuthentication.bearerCredential("Bearer x") == "x")
        #expect(ClientAuthentication.bearerCredential("Bearerx") == nil)
        #expect(ClientAuthentication.bearerCredential("Bearer ") == nil)
    }

    // MARK: Configuration

    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: ["0.0.0.0:8642", "[::]:8642", "192.168.1.5:8642", "myhost:8642"])
    func aNonLoopbackListenAddressIsRefused(address: String) throws {
        do {
            _ = try CondenserConfiguration.load(path: nil, environment: [:], flags: [("listen", .list([address]))])
            Issue.record("\(address) was accepted")
        } catch {
            #expect(error.key == "listen")
            #expect(error.reason.contains("not a loopback address"))
            #expect(error.reason.contains("security.allow_remote"))
        }
        let second = try? CondenserConfiguration.load(path: nil, environment: [:], flags: [("listen", .list(["127.0.0.1:1", address]))])
        #expect(second == nil)
    }

    @Test func loopbackListenAddressesNeedNothing() throws {
        let configuration = try CondenserConfiguration.load(
            path: nil, environment: [:], flags: [("listen", .list(["127.0.0.1:1", "127.9.9.9:2", "[::1]:3", "localhost:4"]))])
        #expect(configuration.listen.count == 4)
        #expect(!configuration.allowRemote)
    }

    @Test func allowRemoteNeedsATokenAndThenServesAnyAddress() throws {
        do {
            _ = try CondenserConfiguration.load(
                path: nil, environment: [:], flags: [("listen", .list(["0.0.0.0:8642"])), ("security.allow_remote", .bool(true))])
            Issue.record("allow_remote without a token was accepted")
        } catch {
            #expect(error.key == "security.allow_remote")
            #expect(error.reason.contains("client token"))
        }
        let tokenFile = try Self.file("  \(Self.token)\n")
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let configuration = try CondenserConfiguration.load(
            path: nil, environment: [:],
            flags: [
                ("listen", .list(["0.0.0.0:8642"])), ("security.allow_remote", .bool(true)),
                ("security.client_token_file", .text(tokenFile)),
            ])
        #expect(configuration.clientToken == ClientToken(value: Self.token, source: tokenFile))
        let described = configuration.accessDescription.joined(separator: "\n")
        #expect(described.contains("Remote access: ON"))
        #expect(described.contains(tokenFile))
        #expect(!described.contains(Self.token))
        #expect(!configuration.tomlDescription.contains(Self.token))
    }

    @Test func theTokenCanComeFromTheSystemdCredential() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("condenser-cred-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.token.write(toFile: directory + "/client-token", atomically: true, encoding: .utf8)
        let configuration = try CondenserConfiguration.load(
            path: nil, environment: ["CREDENTIALS_DIRECTORY": directory, "CONDENSER_SECURITY_ALLOW_REMOTE": "true"],
            flags: [("listen", .list(["0.0.0.0:8642"]))])
        #expect(configuration.clientToken == ClientToken(value: Self.token, source: "credential client-token"))
        #expect(configuration.accessDescription.joined().contains("credential client-token"))
    }

    @Test func anUnreadableTokenFileIsAnError() {
        do {
            _ = try CondenserConfiguration.load(
                path: nil, environment: [:], flags: [("security.client_token_file", .text("/nonexistent/token"))])
            Issue.record("a missing token file was accepted")
        } catch {
            #expect(error.key == "security.client_token_file")
        }
    }

    // MARK: Inherited sockets

    /// A listening socket as systemd would pass it, bound to `host` on an ephemeral port.
    static func listeningSocket(_ host: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        try #require(listen(fd, 1) == 0)
        return fd
    }

    @Test func anInheritedSocketBeyondLoopbackIsRefusedUnlessRemoteIsAllowed() throws {
        let wildcard = try Self.listeningSocket("0.0.0.0")
        let loopback = try Self.listeningSocket("127.0.0.1")
        defer {
            close(wildcard)
            close(loopback)
        }
        #expect(ListenerExposure.refusal(forInherited: [.descriptor(loopback)], allowRemote: false) == nil)
        let refusal = try #require(
            ListenerExposure.refusal(forInherited: [.descriptor(loopback), .descriptor(wildcard)], allowRemote: false))
        #expect(refusal.key == "listen")
        #expect(refusal.reason.contains("0.0.0.0:"))
        #expect(ListenerExposure.refusal(forInherited: [.descriptor(wildcard)], allowRemote: true) == nil)
    }

    @Test func aDaemonGivenAWildcardSocketExitsWithoutServing() async throws {
        let wildcard = try Self.listeningSocket("0.0.0.0")
        defer { close(wildcard) }
        var settings = CondenserConfiguration()
        settings.idleExit = nil
        let configuration = settings
        let daemon = CondenserDaemon(
            configuration: configuration, listeners: [.descriptor(wildcard)], logger: .init(label: "test"),
            reload: { configuration })
        // Bounded, so that a daemon which wrongly serves fails the test instead of hanging it.
        let outcome = await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    try await daemon.run()
                    return "returned"
                } catch let error as ConfigurationError {
                    return error.key
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return "still serving after 10 s"
            }
            let first = await group.next() ?? ""
            group.cancelAll()
            return first
        }
        #expect(outcome == "listen")
    }
}
