package org.satchel.app

import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.net.ServerSocket
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.satchel.app.model.PlatformHttp
import org.satchel.ffi.HttpFailure
import org.satchel.ffi.HttpHeader
import org.satchel.ffi.HttpRequest

/** The phone's HTTP client against the JDK's own HTTP server: it sends exactly what it is
 *  given and hands back what came, redirects and error statuses included. */
class PlatformHttpTest {
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    private val seen = mutableListOf<Triple<String, Map<String, String>, ByteArray>>()
    private val base get() = "http://127.0.0.1:${server.address.port}"

    init {
        server.createContext("/") { ex ->
            val headers = ex.requestHeaders.entries.associate { (k, v) -> k.lowercase() to v.joinToString(",") }
            seen += Triple("${ex.requestMethod} ${ex.requestURI}", headers, ex.requestBody.readBytes())
            when (ex.requestURI.path) {
                "/moved" -> {
                    ex.responseHeaders.add("Location", "$base/elsewhere")
                    ex.sendResponseHeaders(302, -1)
                }
                "/trickle" -> {
                    // A byte every 100 ms for up to 5 s: no single read waits long.
                    ex.sendResponseHeaders(200, 50)
                    runCatching {
                        ex.responseBody.use { out ->
                            repeat(50) { out.write(7); out.flush(); Thread.sleep(100) }
                        }
                    }
                }
                "/refused" -> {
                    val body = """{"error":"revoked"}""".toByteArray()
                    ex.sendResponseHeaders(401, body.size.toLong())
                    ex.responseBody.use { it.write(body) }
                }
                else -> {
                    val body = ByteArray(3000) { (it % 251).toByte() }
                    ex.sendResponseHeaders(200, body.size.toLong())
                    ex.responseBody.use { it.write(body) }
                }
            }
            ex.close()
        }
        server.start()
    }

    @After
    fun stop() = server.stop(0)

    private fun request(path: String, body: ByteArray? = null, max: ULong = 1_000_000u) = HttpRequest(
        method = if (body == null) "GET" else "POST",
        url = base + path,
        headers = listOf(HttpHeader("authorization", "Bearer t0ken"), HttpHeader("content-type", "application/cbor")),
        body = body,
        connectTimeoutMs = 5_000u,
        timeoutMs = 5_000u,
        maxReplyBytes = max,
    )

    @Test
    fun sendsTheBodyAndHeadersAndReadsTheAnswer() {
        val reply = PlatformHttp.send(request("/v1/push", byteArrayOf(1, 2, 3)))
        assertEquals(200.toUShort(), reply.status)
        assertEquals(3000, reply.body.size)
        val (line, headers, body) = seen.single()
        assertEquals("POST /v1/push", line)
        assertEquals("Bearer t0ken", headers["authorization"])
        assertEquals("application/cbor", headers["content-type"])
        assertNull("no cookies of its own", headers["cookie"])
        assertArrayEquals(byteArrayOf(1, 2, 3), body)
    }

    @Test
    fun redirectsAndErrorStatusesComeBackAsTheyAre() {
        assertEquals(302.toUShort(), PlatformHttp.send(request("/moved")).status)
        assertEquals("not followed", listOf("GET /moved"), seen.map { it.first })
        val refused = PlatformHttp.send(request("/refused"))
        assertEquals(401.toUShort(), refused.status)
        assertEquals("""{"error":"revoked"}""", refused.body.decodeToString())
    }

    @Test
    fun readsNoMoreThanOneBytePastTheLimit() {
        assertEquals(101, PlatformHttp.send(request("/big", max = 100u)).body.size)
    }

    @Test
    fun aTricklingAnswerIsCutOffAtTheDeadline() {
        val started = System.nanoTime()
        val failure = runCatching { PlatformHttp.send(request("/trickle").copy(timeoutMs = 800u)) }.exceptionOrNull()
        val tookMs = (System.nanoTime() - started) / 1_000_000
        assertTrue("$failure", failure is HttpFailure.Timeout)
        assertTrue("took $tookMs ms", tookMs < 3_000)
    }

    @Test
    fun failuresAreNamedByKind() {
        val closed = ServerSocket(0).use { it.localPort }
        val refused = runCatching { PlatformHttp.send(request("/").copy(url = "http://127.0.0.1:$closed/")) }.exceptionOrNull()
        assertTrue("$refused", refused is HttpFailure.ConnectionFailed)
        val unknown = runCatching { PlatformHttp.send(request("/").copy(url = "http://satchel-hub.invalid/")) }.exceptionOrNull()
        assertTrue("$unknown", unknown is HttpFailure.HostNotFound)
        val bad = runCatching { PlatformHttp.send(request("/").copy(url = "not a url")) }.exceptionOrNull()
        assertTrue("$bad", bad is HttpFailure.Other)
    }
}
