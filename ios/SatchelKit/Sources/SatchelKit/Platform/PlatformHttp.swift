import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SatchelFFI

/// The phone's HTTP stack for sync: URLSession, with the system's TLS and trusted certificates,
/// so the native library carries none. It sends what the library asks, exactly: an ephemeral
/// session (no cookies, no cache), redirects handed back instead of followed. What to send, the
/// timeouts and how failures are worded are the library's. `AppModel` sets it at start-up.
public final class PlatformHttp: NSObject, HttpClient, URLSessionTaskDelegate, @unchecked Sendable {
    public static let shared = PlatformHttp()

    override private init() { super.init() }

    /// Called on the background thread sync runs on; blocks it until the answer is in.
    public func send(request: HttpRequest) throws -> HttpResponse {
        guard let url = URL(string: request.url) else { throw HttpFailure.Other(kind: "address not usable") }
        let config = URLSessionConfiguration.ephemeral
        config.httpShouldSetCookies = false
        config.httpCookieAcceptPolicy = .never
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.timeoutIntervalForRequest = Double(request.connectTimeoutMs) / 1000
        config.timeoutIntervalForResource = Double(request.timeoutMs) / 1000
        let session = URLSession(configuration: config, delegate: self, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }

        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = request.method
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.httpBody = request.body

        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        session.dataTask(with: urlRequest) { data, response, error in
            outcome.set(data, response, error)
            done.signal()
        }.resume()
        done.wait()
        return try outcome.reply(limit: request.maxReplyBytes)
    }

    /// Redirects are not followed: the 3xx goes back to the library, which refuses it.
    public func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    /// A URLError by kind; its description could name the address.
    static func failure(_ error: Error) -> HttpFailure {
        guard let e = error as? URLError else { return .Other(kind: String(describing: type(of: error))) }
        switch e.code {
        case .timedOut: return .Timeout
        case .cannotFindHost, .dnsLookupFailed: return .HostNotFound
        case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet: return .ConnectionFailed
        case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
             .serverCertificateHasUnknownRoot, .secureConnectionFailed, .clientCertificateRejected:
            return .Certificate
        default: return .Other(kind: "URLError \(e.code.rawValue)")
        }
    }
}

/// What the data task gave, handed from URLSession's queue to the waiting thread.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var response: URLResponse?
    private var error: Error?

    func set(_ data: Data?, _ response: URLResponse?, _ error: Error?) {
        lock.lock()
        defer { lock.unlock() }
        (self.data, self.response, self.error) = (data, response, error)
    }

    func reply(limit: UInt64) throws -> HttpResponse {
        lock.lock()
        defer { lock.unlock() }
        if let error { throw PlatformHttp.failure(error) }
        guard let http = response as? HTTPURLResponse else { throw HttpFailure.Other(kind: "not an HTTP answer") }
        // One byte past the limit is enough for the library to refuse the answer.
        let body = (data ?? Data()).prefix(Int(clamping: limit &+ 1))
        return HttpResponse(status: UInt16(clamping: http.statusCode), body: Data(body))
    }
}
