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
        SatchelStore.create(path, DeviceRole.OUTREACH, pin, null).use { store ->
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
        SatchelStore.open(path).use { reopened ->
            reopened.unlockWithPin(pin)
            reopened.encounters().use { assertEquals(2, it.recent(10u).size) }
        }
    }

    @Test
    fun everyErrorIsTyped(@TempDir dir: Path) {
        val path = dir.resolve("store").toString()
        SatchelStore.create(path, DeviceRole.OUTREACH, pin, null).use { store ->
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
            assertThrows<SatchelException.StoreState> { SatchelStore.create(path, DeviceRole.OUTREACH, pin, null) }
        }
        val panic = assertThrows<SatchelException.Internal> { checkPanicIsCaught() }
        assertTrue(panic.message!!.contains("deliberate panic"))
    }

    @Test
    fun manyThreadsShareOneStore(@TempDir dir: Path) {
        SatchelStore.create(dir.resolve("store").toString(), DeviceRole.OUTREACH, pin, null).use { store ->
            val pool = Executors.newFixedThreadPool(4)
            repeat(40) { pool.submit { store.encounters().use { it.log(street()) } } }
            pool.shutdown()
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS))
            store.encounters().use { assertEquals(40, it.recent(100u).size) }
        }
    }

    @Test
    fun panicWipeLeavesNothing(@TempDir dir: Path) {
        val path = dir.resolve("store")
        SatchelStore.create(path.toString(), DeviceRole.OUTREACH, pin, null).use { store ->
            store.encounters().use { it.log(street()) }
            store.wipe()
        }
        assertFalse(storeExists(path.toString()))
        assertEquals(0L, Files.list(path).count())
    }

    @Test
    fun syncBeforeEnrollmentIsRefusedWithoutTheNetwork(@TempDir dir: Path) {
        SatchelStore.create(dir.resolve("s").toString(), DeviceRole.OUTREACH, pin, null).use { store ->
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
