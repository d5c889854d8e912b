import Foundation
import SatchelFFI
import Testing
@testable import SatchelKit

/// The phone's HTTP client on its own: statuses come back as they are, failures by kind. (Sync
/// through it against a real hub is what the shift tests do.)
@Suite(.serialized)
struct PlatformHttpTests {
    private func request(_ url: String, body: Data? = nil) -> HttpRequest {
        HttpRequest(
            method: body == nil ? "GET" : "POST", url: url,
            headers: [HttpHeader(name: "content-type", value: "application/cbor")], body: body,
            connectTimeoutMs: 5_000, timeoutMs: 5_000, maxReplyBytes: 1_000_000)
    }

    @Test func anErrorStatusIsAnAnswerNotAFailure() throws {
        let hub = try Hub()
        defer { hub.stop() }
        let reply = try PlatformHttp.shared.send(request: request(hub.url + "/v1/devices"))
        #expect(reply.status == 401, "no credential")
        #expect(!reply.body.isEmpty, "the hub says why")
    }

    @Test func failuresAreNamedByKind() {
        #expect(throws: HttpFailure.ConnectionFailed) { try PlatformHttp.shared.send(request: request("http://127.0.0.1:1/")) }
        #expect(throws: HttpFailure.HostNotFound) { try PlatformHttp.shared.send(request: request("http://satchel-hub.invalid/")) }
    }
}
