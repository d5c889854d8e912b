package org.satchel.app.model

import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.InputStream
import java.net.ConnectException
import java.net.HttpURLConnection
import java.net.SocketTimeoutException
import java.net.URI
import java.net.UnknownHostException
import javax.net.ssl.SSLException
import org.satchel.ffi.HttpClient
import org.satchel.ffi.HttpFailure
import org.satchel.ffi.HttpRequest
import org.satchel.ffi.HttpResponse

/**
 * The phone's HTTP stack for sync: `HttpURLConnection`, which Android backs with its own TLS
 * and trusted certificates (and the JVM with its own), so the native library carries none.
 * It sends what the library asks, exactly: no redirects followed, no caches, no cookies. What
 * to send, the timeouts and how failures are worded are the library's.
 */
object PlatformHttp : HttpClient {
    override fun send(request: HttpRequest): HttpResponse {
        val deadline = System.nanoTime() + request.timeoutMs.toLong() * 1_000_000
        val conn = try {
            URI(request.url).toURL().openConnection() as HttpURLConnection
        } catch (e: Exception) {
            throw HttpFailure.Other("address not usable")
        }
        // A connection read to its end goes back to the platform's pool (one TLS handshake for
        // a sync's few requests); any other is closed.
        var reusable = false
        try {
            conn.instanceFollowRedirects = false
            conn.useCaches = false
            conn.connectTimeout = request.connectTimeoutMs.toInt()
            // Per read: HttpURLConnection has no bound on the whole exchange, so the answer is
            // also read against the deadline (a server that trickles bytes is cut off there).
            conn.readTimeout = request.timeoutMs.toInt()
            conn.requestMethod = request.method
            for (h in request.headers) conn.setRequestProperty(h.name, h.value)
            val body = request.body
            if (body != null) {
                conn.doOutput = true
                conn.setFixedLengthStreamingMode(body.size)
                conn.outputStream.use { it.write(body) }
            }
            val status = conn.responseCode
            val stream = if (status >= 400) conn.errorStream else conn.inputStream
            // One byte past the limit is enough for the library to refuse the answer.
            val limit = request.maxReplyBytes.toLong() + 1
            val bytes = stream?.use { readAtMost(it, limit, deadline) } ?: ByteArray(0)
            reusable = bytes.size < limit
            return HttpResponse(status.toUShort(), bytes)
        } catch (e: SocketTimeoutException) {
            throw HttpFailure.Timeout()
        } catch (e: UnknownHostException) {
            throw HttpFailure.HostNotFound()
        } catch (e: ConnectException) {
            throw HttpFailure.ConnectionFailed()
        } catch (e: SSLException) {
            throw HttpFailure.Certificate()
        } catch (e: IOException) {
            // The kind only: a message could name the address or echo the server.
            throw HttpFailure.Other(e.javaClass.simpleName)
        } finally {
            if (!reusable) conn.disconnect()
        }
    }

    private fun readAtMost(input: InputStream, limit: Long, deadline: Long): ByteArray {
        val out = ByteArrayOutputStream()
        val buffer = ByteArray(16 * 1024)
        var total = 0L
        while (total < limit) {
            val n = input.read(buffer, 0, minOf(buffer.size.toLong(), limit - total).toInt())
            if (n < 0) break
            if (System.nanoTime() - deadline > 0) throw HttpFailure.Timeout()
            out.write(buffer, 0, n)
            total += n
        }
        return out.toByteArray()
    }
}
