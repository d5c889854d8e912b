package org.satchel.ffi

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** A worker's shift through the generated Kotlin bindings, as the Android app drives them. */
class ShiftTest {
    private val pin = "2468"

    /** A store with a cheap key-derivation cost (the phones' is 64 MiB, two passes). */
    private fun cheapStore(path: String, keystore: PhoneKeystore = MemoryKeystore(), backgroundSync: Boolean = false) =
        createStoreWithCost(path, DeviceRole.OUTREACH, pin, keystore, backgroundSync, 64u, 1u)

    private fun street(
        items: List<ItemQuantity> = emptyList(),
        participantCode: String? = "MA12JS",
        zoneId: String = "downtown",
    ) = EncounterInput(
        occurredAt = Instant.now(),
        contactType = ContactType.STREET,
        zoneId = zoneId,
        participantCode = participantCode,
        ageBandId = "25-34",
        genderId = "woman",
        items = items,
        syringesCollected = 12u,
        referralIds = listOf("moud"),
        substanceIds = listOf("opioids"),
    )

    private fun level(stock: Stock, item: String): Long =
        stock.levels("van-1").firstOrNull { it.itemId == item }?.level ?: 0L

    @Test
    fun aFullShift(@TempDir dir: Path) {
        val path = dir.resolve("store").toString()
        val keystore = MemoryKeystore()
        SatchelStore.create(path, DeviceRole.OUTREACH, pin, keystore, false).use { store ->
            store.stock().use { stock ->
                store.encounters().use { encounters ->
                    stock.setDeviceLocation("van-1")
                    stock.receive("van-1", "syringe-1ml", 500u)
                    stock.receive("van-1", "naloxone-nasal", 12u)

                    val first = encounters.logFromKit("standard", listOf(ItemQuantity("syringe-1ml", 20u)), street())
                    val second = encounters.logFromKit("naloxone", emptyList(), street(participantCode = "ZZ01AB"))
                    assertEquals(480L, level(stock, "syringe-1ml"))
                    assertEquals(11L, level(stock, "naloxone-nasal"))
                    assertTrue(encounters.participantSeen("ma-12-js"))

                    encounters.correct(first, street(items = listOf(ItemQuantity("syringe-1ml", 10u)), participantCode = null))
                    assertEquals(490L, level(stock, "syringe-1ml"))
                    val corrected = encounters.get(first)!!
                    assertEquals(2u, corrected.version)
                    assertTrue(corrected.hasParticipant)
                    encounters.void(second)
                    assertEquals(12L, level(stock, "naloxone-nasal"))
                    assertTrue(encounters.recent(10u).first { it.encounterId == second }.voided)

                    stock.transfer("office", "van-1", "naloxone-nasal", 3u)
                    stock.adjust("van-1", "naloxone-nasal", -2L, AdjustReason.EXPIRED)
                    stock.count("van-1", "fentanyl-strip", 4u)
                    assertEquals(13L, level(stock, "naloxone-nasal"))
                    assertTrue(stock.lowStock().any { it.itemId == "fentanyl-strip" && it.level == 4L })
                }
            }
            val today = LocalDate.now(ZoneId.of("America/New_York"))
            store.reports().use { reports ->
                val report = reports.tally(today.minusDays(1).toString(), today.plusDays(1).toString(), Granularity.WEEK, null)
                assertEquals(1uL, report.total.encounters)
                assertEquals(10uL, report.total.items["syringe-1ml"]!!.units)
                assertEquals(mapOf("downtown" to 1uL), report.total.byZone)
            }
            store.program().use { program ->
                assertTrue(program.settings().kits.any { it.id == "standard" })
            }
            store.lock()
            store.encounters().use { encounters ->
                assertThrows<SatchelException.Locked> { encounters.recent(10u) }
            }
        }
        SatchelStore.open(path, keystore).use { reopened ->
            reopened.unlockWithPin(pin)
            reopened.encounters().use { assertEquals(2, it.recent(10u).size) }
        }
    }

    @Test
    fun everyErrorIsTyped(@TempDir dir: Path) {
        val path = dir.resolve("store").toString()
        cheapStore(path).use { store ->
            store.encounters().use { encounters ->
                val qty = assertThrows<SatchelException.InvalidInput> {
                    encounters.log(street(items = listOf(ItemQuantity("syringe-1ml", 0u))))
                }
                assertEquals("items.quantity", qty.field)
                val unknown = assertThrows<SatchelException.InvalidInput> {
                    encounters.log(street(items = listOf(ItemQuantity("unicorn", 1u))))
                }
                assertEquals("items", unknown.field)
                assertThrows<SatchelException.InvalidInput> { encounters.log(street(zoneId = "atlantis")) }
                assertThrows<SatchelException.NotFound> { encounters.void("0190a000-0000-7000-8000-000000000000") }
                assertTrue(encounters.recent(10u).isEmpty())
            }
            store.lock()
            val wrong = assertThrows<SatchelException.WrongPin> { store.unlockWithPin("0000") }
            assertEquals(1u, wrong.failedAttempts)
            assertThrows<SatchelException.StoreState> { SatchelStore.create(path, DeviceRole.OUTREACH, pin, MemoryKeystore(), false) }
            assertThrows<SatchelException.StoreState> { SatchelStore.open(dir.resolve("nowhere").toString(), MemoryKeystore()) }
            // Fingerprint unlock was never turned on.
            assertThrows<SatchelException.StoreState> { store.unlockWithBiometrics() }
        }
        // The same files with another phone's keystore open nothing, whatever the PIN, and that
        // is not counted as a wrong PIN.
        SatchelStore.open(path, MemoryKeystore()).use { stranger ->
            assertThrows<SatchelException.KeystoreFailed> { stranger.unlockWithPin(pin) }
            assertEquals(1u, stranger.failedAttempts())
        }
        // A keystore answering with the wrong length is refused, not trusted.
        val short = object : PhoneKeystore {
            override fun createKey(keyUse: KeyUse) {}
            override fun derive(keyUse: KeyUse, salt: ByteArray) = ByteArray(16)
            override fun destroyKey(keyUse: KeyUse) {}
        }
        SatchelStore.open(path, short).use { assertThrows<SatchelException.KeystoreFailed> { it.unlockWithPin(pin) } }
        val panic = assertThrows<SatchelException.Internal> { checkPanicIsCaught() }
        assertTrue(panic.message!!.contains("deliberate panic"))
    }

    @Test
    fun manyThreadsShareOneStore(@TempDir dir: Path) {
        cheapStore(dir.resolve("store").toString()).use { store ->
            val pool = Executors.newFixedThreadPool(4)
            repeat(40) { pool.submit { store.encounters().use { it.log(street()) } } }
            pool.shutdown()
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS))
            store.encounters().use { assertEquals(40, it.recent(100u).size) }
        }
    }

    @Test
    fun fingerprintAndBackgroundUnlockGoThroughTheKeystore(@TempDir dir: Path) {
        val path = dir.resolve("store").toString()
        val keystore = MemoryKeystore()
        cheapStore(path, keystore, backgroundSync = true).use { store ->
            assertTrue(store.hasBackgroundSync())
            assertFalse(store.hasBiometricUnlock())
            assertEquals(setOf(KeyUse.PIN, KeyUse.BACKGROUND), keystore.keys.keys)

            // Turning fingerprint unlock on shows the prompt once; a cancelled prompt leaves it off.
            keystore.refuse[KeyUse.BIOMETRIC] = { KeystoreException.Cancelled() }
            assertThrows<SatchelException.BiometricsCancelled> { store.setBiometricUnlock(true) }
            assertFalse(store.hasBiometricUnlock())
            keystore.refuse.remove(KeyUse.BIOMETRIC)
            keystore.derived.clear()
            store.setBiometricUnlock(true)
            assertTrue(store.hasBiometricUnlock())
            assertEquals(1, keystore.derived[KeyUse.BIOMETRIC])

            store.lock()
            assertThrows<SatchelException.Locked> { store.setBiometricUnlock(true) }
            assertThrows<SatchelException.WrongPin> { store.unlockWithPin("9051") }
            assertEquals(1u, store.failedAttempts())

            // A cancelled prompt and changed fingerprints are not wrong attempts.
            keystore.refuse[KeyUse.BIOMETRIC] = { KeystoreException.Cancelled() }
            assertThrows<SatchelException.BiometricsCancelled> { store.unlockWithBiometrics() }
            keystore.refuse[KeyUse.BIOMETRIC] = { KeystoreException.Invalidated() }
            assertThrows<SatchelException.BiometricsChanged> { store.unlockWithBiometrics() }
            keystore.refuse[KeyUse.BIOMETRIC] = { KeystoreException.Failed("KeyStoreException") }
            assertThrows<SatchelException.KeystoreFailed> { store.unlockWithBiometrics() }
            assertEquals(1u, store.failedAttempts(), "a cancelled prompt is not a wrong attempt")
            assertFalse(store.isUnlocked())

            keystore.refuse.remove(KeyUse.BIOMETRIC)
            store.unlockWithBiometrics()
            assertTrue(store.isUnlocked())
            assertEquals(0u, store.failedAttempts(), "a right fingerprint resets the count")
            store.encounters().use { it.log(street()) }
            store.lock()

            // Background sync: no prompt, the background key alone.
            keystore.derived.clear()
            store.unlockForBackground()
            assertTrue(store.isUnlocked())
            store.encounters().use { assertEquals(1, it.recent(10u).size) }
            assertEquals(null, keystore.derived[KeyUse.BIOMETRIC])
            store.lock()

            // Turned off (fingerprint while locked): the wrap and the keystore key are gone.
            store.setBiometricUnlock(false)
            assertFalse(store.hasBiometricUnlock())
            assertFalse(keystore.keys.containsKey(KeyUse.BIOMETRIC))
            assertThrows<SatchelException.StoreState> { store.unlockWithBiometrics() }
            store.unlockWithPin(pin)
            store.setBackgroundSync(false)
            assertFalse(store.hasBackgroundSync())
            assertFalse(keystore.keys.containsKey(KeyUse.BACKGROUND))
            store.lock()
            assertThrows<SatchelException.StoreState> { store.unlockForBackground() }

            // The PIN key is never optional: without it the right PIN opens nothing.
            keystore.destroyKey(KeyUse.PIN)
            assertThrows<SatchelException.KeystoreFailed> { store.unlockWithPin(pin) }
        }
    }

    @Test
    fun changingThePinKeepsTheKeystoreKeys(@TempDir dir: Path) {
        val keystore = MemoryKeystore()
        cheapStore(dir.resolve("store").toString(), keystore).use { store ->
            store.setBiometricUnlock(true)
            store.changePin(pin, "8042")
            store.lock()
            assertThrows<SatchelException.WrongPin> { store.unlockWithPin(pin) }
            store.unlockWithPin("8042")
            store.lock()
            store.unlockWithBiometrics()
        }
    }

    @Test
    fun wipeDestroysTheKeystoreKeysAndEveryFile(@TempDir dir: Path) {
        val path = dir.resolve("store")
        val keystore = MemoryKeystore()
        cheapStore(path.toString(), keystore, backgroundSync = true).use { store ->
            store.setBiometricUnlock(true)
            store.encounters().use { it.log(street()) }
            assertEquals(setOf(KeyUse.PIN, KeyUse.BIOMETRIC, KeyUse.BACKGROUND), keystore.keys.keys)
            store.wipe()
        }
        assertTrue(keystore.keys.isEmpty(), "the keystore keys are destroyed: ${keystore.keys.keys}")
        assertFalse(storeExists(path.toString()))
        assertEquals(0L, Files.list(path).count())
    }

    @Test
    fun panicWipeWithoutUnlockingLeavesNothing(@TempDir dir: Path) {
        val path = dir.resolve("store")
        val keystore = MemoryKeystore()
        cheapStore(path.toString(), keystore, backgroundSync = true).use { store ->
            store.encounters().use { it.log(street()) }
            store.lock()
        }
        panicWipe(path.toString(), keystore)
        assertTrue(keystore.keys.isEmpty(), "the keystore keys are destroyed: ${keystore.keys.keys}")
        assertFalse(storeExists(path.toString()))
        assertEquals(0L, Files.list(path).count())
        // Nothing to wipe the second time is not an error.
        panicWipe(path.toString(), keystore)
    }

    @Test
    fun syncBeforeEnrollmentIsRefusedWithoutTheNetwork(@TempDir dir: Path) {
        cheapStore(dir.resolve("s").toString()).use { store ->
            store.sync().use { sync ->
                val state = sync.status()
                assertFalse(state.enrolled)
                assertEquals(0uL, state.pending)
                assertThrows<SatchelException.NotPermitted> { sync.syncNow() }
                assertThrows<SatchelException.InvalidInput> { sync.enroll("https://not-a-code") }
                // A code naming a plain-http server off this machine is refused before any request.
                assertThrows<SatchelException.InvalidInput> {
                    sync.enroll("satchel://enroll?server=http%3A%2F%2Fhub.example.org&token=t&secret=" + "00".repeat(32))
                }
                assertEquals(0u, sync.status().consecutiveFailures, "not being enrolled is not a failure to back off from")
            }
        }
    }
}
