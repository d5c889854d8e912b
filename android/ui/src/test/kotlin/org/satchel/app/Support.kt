package org.satchel.app

import org.satchel.app.model.AppModel
import org.satchel.app.model.Platform
import org.satchel.app.model.PlatformHttp
import org.satchel.app.model.Preferences
import org.satchel.app.model.Route
import org.satchel.ffi.DeviceRole
import org.satchel.ffi.KeyUse
import org.satchel.ffi.KeystoreException
import org.satchel.ffi.Opening
import org.satchel.ffi.PhoneKeystore
import org.satchel.ffi.SatchelStore
import org.satchel.ffi.Service
import org.satchel.ffi.ServiceAccess
import org.satchel.ffi.ServiceText
import org.satchel.ffi.setHttpClient
import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.nio.file.Files
import java.security.SecureRandom
import java.time.Instant
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob

/**
 * The phone's hardware keystore as the tests play it: HMAC-SHA256 under random keys held in
 * memory, outside the store's files, as the Android Keystore keeps its keys outside the app's.
 * [refuse] answers a key's use with an error instead (the worker closed the fingerprint prompt,
 * the phone's fingerprints changed); [prompts] counts the fingerprint prompts a worker would see.
 */
class MemoryKeystore : PhoneKeystore {
    val keys = ConcurrentHashMap<KeyUse, ByteArray>()
    val refuse = ConcurrentHashMap<KeyUse, () -> KeystoreException>()
    val prompts = AtomicInteger()
    /** The threads that asked: the library must never be called on the UI thread. */
    val threads: MutableList<String> = java.util.Collections.synchronizedList(mutableListOf())

    override fun createKey(keyUse: KeyUse) {
        keys[keyUse] = ByteArray(32).also { SecureRandom().nextBytes(it) }
    }

    override fun derive(keyUse: KeyUse, salt: ByteArray): ByteArray {
        threads += Thread.currentThread().name
        if (keyUse == KeyUse.BIOMETRIC) prompts.incrementAndGet()
        refuse[keyUse]?.let { throw it() }
        val key = keys[keyUse] ?: throw KeystoreException.Missing()
        return Mac.getInstance("HmacSHA256").run {
            init(SecretKeySpec(key, "HmacSHA256"))
            doFinal(salt)
        }
    }

    override fun destroyKey(keyUse: KeyUse) {
        keys.remove(keyUse)?.fill(0)
    }
}

/** The phone, as the tests play it: a clock they move, a network they cut, a keystore in memory. */
class TestPlatform(override val storeDir: String) : Platform {
    @Volatile var clock: Instant = Instant.now()
    @Volatile var online = true
    @Volatile var night = false
    var preferences = Preferences()
    /** The periodic background sync is scheduled. */
    var syncScheduled = false
    var biometrics = true
    override val keystore = MemoryKeystore()

    override fun now(): Instant = clock
    override fun isOnline() = online
    override fun isNight() = night
    override fun systemDark() = false
    override fun loadPreferences() = preferences
    override fun savePreferences(preferences: Preferences) { this.preferences = preferences }
    override fun biometricsAvailable() = biometrics
    override fun scheduleBackgroundSync() { syncScheduled = true }
    override fun cancelBackgroundSync() { syncScheduled = false }
}

fun newApp(dir: File = Files.createTempDirectory("satchel-phone").toFile()): Pair<AppModel, TestPlatform> {
    val platform = TestPlatform(File(dir, "store").path)
    return AppModel(platform, CoroutineScope(SupervisorJob() + Dispatchers.Default)) to platform
}

/**
 * A real `satchel-server` on 127.0.0.1 with a program set up by a real manager's store: what a
 * phone joins in the field. The binary comes from `satchel.server.bin` (scripts/test.sh sets it).
 */
class Hub : AutoCloseable {
    private val dir: File = Files.createTempDirectory("satchel-hub").toFile()
    private val bin = System.getProperty("satchel.server.bin")
        ?: error("set -Dsatchel.server.bin to the satchel-server binary (scripts/test.sh does)")
    private var process: Process? = null
    var url: String = ""
        private set
    private var port = 0
    val manager: SatchelStore

    init {
        setHttpClient(PlatformHttp)
        val init = ProcessBuilder(bin, "init", "--data-dir", File(dir, "hub").path).redirectErrorStream(false).start()
        val token = init.inputStream.bufferedReader().readText().trim().lines().last()
        check(init.waitFor(30, TimeUnit.SECONDS) && init.exitValue() == 0) { "satchel-server init failed" }
        start("127.0.0.1:0")
        manager = SatchelStore.create(File(dir, "manager").path, DeviceRole.MANAGER, "manager passphrase", MemoryKeystore(), false)
        manager.sync().use { it.startProgram(url, token) }
    }

    private fun start(listen: String) {
        val p = ProcessBuilder(bin, "serve", "--data-dir", File(dir, "hub").path, "--listen", listen, "--insecure-loopback")
            .redirectError(File(dir, "server.log"))
            .start()
        val line = BufferedReader(InputStreamReader(p.inputStream)).readLine() ?: error("satchel-server did not start")
        check(line.startsWith("satchel-server listening on http://127.0.0.1:")) { line }
        url = line.split(" ").last()
        port = url.substringAfterLast(":").trimEnd('/').toInt()
        process = p
    }

    private var enrolled = 0

    /**
     * A one-time enrollment code for an outreach phone (the text of the QR code); by default
     * labelled "Van 1", "Van 2", … in order, since each device's label must be its own.
     */
    fun enrollmentCode(label: String? = null): String {
        enrolled += 1
        val name = label ?: "Van $enrolled"
        return manager.sync().use { it.createEnrollment(name, DeviceRole.OUTREACH).code }
    }

    fun stop() {
        process?.destroy()
        process?.waitFor(10, TimeUnit.SECONDS)
        process = null
    }

    /** Starts again on the same port, so phones find it where they left it. */
    fun restart() {
        stop()
        start("127.0.0.1:$port")
    }

    override fun close() {
        stop()
        manager.close()
        dir.deleteRecursively()
    }
}

/** A phone that joined [hub] and logged part of a shift from van 1: what the screenshots and
 *  the desktop preview show. Fingerprint unlock is on (the in-memory keystore shows no prompt). */
fun demoPhone(hub: Hub): Pair<AppModel, TestPlatform> {
    val (app, platform) = newApp()
    app.join.setCode(hub.enrollmentCode())
    app.join.setPin("2468")
    app.join.setPinAgain("2468")
    app.join.setFingerprint(true)
    app.join.join()
    waitUntil("joined") { app.state.value.route == org.satchel.app.model.Route.MAIN && app.log.state.value.kits.isNotEmpty() }
    app.openStore().stock().use {
        it.setDeviceLocation("van-1")
        it.receive("van-1", "syringe-1ml", 500u)
        it.receive("van-1", "naloxone-nasal", 4u)
    }
    for (kit in listOf("standard", "naloxone", "smoking")) {
        app.review.openKit(kit)
        waitUntil("the $kit sheet") { app.state.value.sheetOpen && app.review.state.value.items.isNotEmpty() }
        app.review.save()
        waitUntil("saved") { !app.state.value.sheetOpen }
    }
    return app to platform
}

fun waitUntil(what: String, timeoutMs: Long = 20_000, condition: () -> Boolean) {
    val end = System.currentTimeMillis() + timeoutMs
    while (!condition()) {
        if (System.currentTimeMillis() > end) throw AssertionError("waited ${timeoutMs / 1000} s for $what")
        Thread.sleep(20)
    }
}

/**
 * The manager lists two services in the directory and publishes them: a clinic open round the
 * clock (walk in, nothing asked at the door, both languages) and a shelter with no hours listed
 * that asks for ID and sobriety (English only).
 */
fun Hub.listServices() {
    val always = listOf("mon", "tue", "wed", "thu", "fri", "sat", "sun").map { Opening(it, "00:00", "24:00") }
    manager.program().use { p ->
        p.putServiceForTesting(
            Service(
                "eastside-clinic", ServiceText("Eastside Health Clinic", "Clínica de Salud Eastside"), listOf("moud"),
                ServiceText("412 E Main St, by the library", "412 E Main St, junto a la biblioteca"), always, "(555) 010-2000",
                ServiceAccess.WALK_IN, false, false, false, listOf("English", "Spanish"),
                ServiceText("No ID needed. Peer navigators on site.", "No hace falta identificación. Hay acompañantes pares."), true,
            ),
        )
        p.putServiceForTesting(
            Service(
                "harbor-shelter", ServiceText("Harbor Shelter", null), listOf("moud", "housing"), ServiceText("Pier 4", null),
                emptyList(), null, ServiceAccess.APPOINTMENT, true, false, true, emptyList(), null, true,
            ),
        )
    }
    manager.sync().use { it.syncNow() }
}
