package org.satchel.app

import org.satchel.app.features.review.Counter
import org.satchel.app.features.stock.StockAction
import org.satchel.app.model.AppModel
import org.satchel.app.model.Route
import org.satchel.app.model.Tab
import org.satchel.app.screens.SatchelApp
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.ffi.KeyUse
import org.satchel.ffi.NaloxoneKit
import org.satchel.ffi.OpenStatus
import org.satchel.ffi.Outcome
import org.satchel.ffi.PinProblem
import org.satchel.ffi.ProfileAnswer
import androidx.compose.ui.graphics.toArgb
import androidx.compose.ui.graphics.toPixelMap
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.assertIsEnabled
import androidx.compose.ui.test.captureToImage
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onAllNodesWithTag
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onNodeWithContentDescription
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performSemanticsAction
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.performTextReplacement
import androidx.compose.ui.test.performTouchInput
import androidx.compose.ui.test.swipeRight
import com.google.zxing.BinaryBitmap
import com.google.zxing.DecodeHintType
import com.google.zxing.RGBLuminanceSource
import com.google.zxing.common.HybridBinarizer
import com.google.zxing.qrcode.QRCodeReader
import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test

const val PIN = "2468"

fun ComposeContentTestRule.waitFor(what: String, timeoutMs: Long = 45_000, app: AppModel? = null, condition: () -> Boolean) {
    try {
        waitUntil(timeoutMs) { condition() }
    } catch (e: androidx.compose.ui.test.ComposeTimeoutException) {
        throw AssertionError("waited ${timeoutMs / 1000} s for $what" + (app?.let { " (${it.shown()})" } ?: ""), e)
    }
}

/** What the app shows as errors and notices now, for a failed wait's message. */
fun AppModel.shown(): String =
    "sheet error: ${review.state.value.error}; notice: ${state.value.notice?.text}; route ${state.value.route}, sheet ${state.value.sheetOpen}"

fun ComposeContentTestRule.waitForTag(tag: String, app: AppModel? = null) =
    waitFor("node $tag", app = app) { onAllNodesWithTag(tag).fetchSemanticsNodes().isNotEmpty() }

fun ComposeContentTestRule.waitForText(text: String) =
    waitFor("text \"$text\"") { onAllNodesWithText(text, substring = true).fetchSemanticsNodes().isNotEmpty() }

/** Joins through the screen with a code from [hub], the way a worker does. */
fun ComposeContentTestRule.joinThroughScreen(hub: Hub) {
    waitForTag("join-code")
    onNodeWithTag("join-code").performTextInput(hub.enrollmentCode())
    onNodeWithTag("join-pin").performTextInput(PIN)
    onNodeWithTag("join-pin-again").performTextInput(PIN)
    onNodeWithTag("join").performClick()
    waitForTag("kit-standard")
}

/** A worker's shift through the real screens, over a real store, against a real hub. */
class ShiftUiTest {
    @get:Rule
    val rule = createComposeRule()

    private fun start(): Pair<AppModel, TestPlatform> {
        val (app, platform) = newApp()
        rule.setContent { SatchelApp(app) }
        return app to platform
    }

    @Test
    fun joinRefusesATrivialPinThenLogsInTwoTapsAndUndoes() = withHub { hub ->
        val (app, platform) = start()
        rule.waitForTag("join-code")
        // A phone handed over in the other language: switched on the join screen, before any store.
        rule.onNodeWithTag("language-switch").performClick()
        rule.waitForText(Spanish.joinTitle)
        rule.onNodeWithTag("language-switch").performClick()
        rule.waitForText(English.joinTitle)
        rule.onNodeWithTag("join-code").performTextInput(hub.enrollmentCode())
        rule.onNodeWithTag("join-pin").performTextInput("1234")
        rule.onNodeWithTag("join-pin-again").performTextInput("1234")
        rule.onNodeWithTag("join").performClick()
        rule.waitForText(English.pinProblem(PinProblem.RUN))
        assertFalse("no store before the PIN passes", File(platform.storeDir).exists() && File(platform.storeDir).list()!!.isNotEmpty())

        rule.onNodeWithTag("join-pin").performTextReplacement(PIN)
        rule.onNodeWithTag("join-pin-again").performTextReplacement(PIN)
        rule.onNodeWithTag("join").performClick()
        rule.waitForTag("kit-standard")
        assertTrue("joined: background sync is scheduled", platform.syncScheduled)

        // Tap one: the kit's sheet. Tap two: Save.
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        rule.mainClock.autoAdvance = false
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("Saved · Undo") {
            rule.mainClock.advanceTimeBy(50)
            rule.onAllNodesWithText(English.undo).fetchSemanticsNodes().isNotEmpty()
        }
        rule.waitFor("the encounter in the shift") { app.today.state.value.rows.size == 1 }
        rule.onNodeWithText(English.undo).performClick()
        rule.waitFor("undo to void it") {
            rule.mainClock.advanceTimeBy(50)
            app.today.state.value.rows.singleOrNull()?.voided == true
        }
        rule.mainClock.autoAdvance = true
        rule.onNodeWithTag("tab-today").performClick()
        rule.waitForText("${English.voided} · ${English.waiting}")
    }

    @Test
    fun todayCorrectsAndVoids() = withHub { hub ->
        val (app, _) = start()
        rule.joinThroughScreen(hub)
        rule.onNodeWithTag("kit-naloxone").performClick()
        rule.waitForTag("save")
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the encounter in Today") { app.today.state.value.rows.size == 1 }

        rule.onNodeWithTag("tab-today").performClick()
        rule.waitForText(English.waiting)
        rule.onNodeWithTag("shift-headline").assertExists()
        val id = app.today.state.value.rows.single().encounterId
        // Correct: one more naloxone kit.
        rule.onNodeWithText(English.correct).performClick()
        rule.waitForTag("save")
        rule.onNodeWithText(English.correctTitle).assertExists()
        val naloxone = app.review.state.value.items.first { it.id == "naloxone-nasal" }
        rule.onNodeWithTag("save").assertExists()
        app.review.step(naloxone.id, 1)
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the correction", app = app) { app.today.state.value.summary?.naloxoneDosesGiven == 4u }
        assertEquals(1u, app.today.state.value.summary?.encounters)

        // Void, after a confirmation.
        rule.waitForTag("void-$id")
        rule.onNodeWithTag("void-$id").performClick()
        rule.onNodeWithTag("void-confirm").performClick()
        rule.waitFor("the void") { app.today.state.value.rows.single().voided }
        assertEquals(0u, app.today.state.value.summary?.encounters)
        // Whether the void itself reached the hub shows on the row.
        assertEquals("${English.voided} · ${English.waiting}", app.today.state.value.rows.single().status)
        app.sync.syncNow()
        rule.waitFor("the void sent", app = app) { app.today.state.value.rows.single().status == "${English.voided} · ${English.sent}" }
    }

    @Test
    fun sharpsComeBackByContainerAndTheShiftCountsTheEstimate() = withHub { hub ->
        val (app, _) = start()
        rule.joinThroughScreen(hub)
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        // The program's container types are on the sheet, each with its estimate.
        val containers = app.review.state.value.containers
        assertEquals(listOf("quart", "gallon"), containers.map { it.id })
        val quart = containers.first()
        val label = English.containersOf(quart.name, quart.syringesEach)
        rule.onNodeWithContentDescription(English.addOne(label)).performScrollTo().assertExists()
        app.review.stepContainer(quart.id, 2)
        rule.waitFor("two quarts on the sheet") { app.review.state.value.containers.first().count == 2 }
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the shift to count them", app = app) { app.today.state.value.summary?.sharpsContainers == 2u }
        assertEquals((2 * quart.syringesEach).toUInt(), app.today.state.value.summary?.syringesEstimated)
        rule.onNodeWithTag("tab-today").performClick()
        rule.waitForText(English.containersBack(2, 2 * quart.syringesEach))

        // Corrected: the sheet opens with the two quarts, one is taken off.
        val id = app.today.state.value.rows.single().encounterId
        app.review.openCorrection(id)
        rule.waitFor("the correction sheet") {
            app.state.value.sheetOpen && app.review.state.value.correcting == id && app.review.state.value.containers.first().count == 2
        }
        app.review.stepContainer("quart", -1)
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the corrected count", app = app) { app.today.state.value.summary?.sharpsContainers == 1u }
    }

    @Test
    fun aReferralShowsWhereToGoAndTheCardSpeaksTheParticipantsLanguage() = withHub { hub ->
        hub.listServices()
        val (app, _) = start()
        rule.joinThroughScreen(hub)
        // The directory arrives with the settings at the phone's sync, then needs no signal.
        app.sync.syncNow()
        rule.waitFor("the directory on the phone", app = app) { app.openStore().program().use { it.servicesFor(listOf("moud")).size == 2 } }
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        app.review.setParticipantCode("MA12JS")
        app.review.toggleReferral("moud")
        rule.waitFor("the services for MOUD", app = app) { app.review.state.value.services.size == 2 }
        assertEquals(listOf("eastside-clinic", "harbor-shelter"), app.review.state.value.services.map { it.service.id })
        rule.onNodeWithText(English.openStatus(OpenStatus.Open(null))).performScrollTo().assertExists()
        rule.onNodeWithText("By appointment · Photo ID needed · Asks that people come sober").performScrollTo().assertExists()

        // The card, in English as the app is, then in Spanish for the participant.
        rule.onNodeWithTag("handover-eastside-clinic").performScrollTo().performClick()
        rule.waitForTag("card-title")
        rule.onNodeWithText("Eastside Health Clinic").assertExists()
        rule.onNodeWithText(Spanish.languageName).performClick()
        rule.waitForText("Clínica de Salud Eastside")
        rule.onNodeWithText("Puede ir sin cita").assertExists()
        rule.onNodeWithText(English.back).assertExists() // the app itself stays in English
        val card = app.review.state.value.card!!

        // The QR code on screen decodes to the service's vCard, and nothing of the participant.
        val image = rule.onNodeWithTag("card-qr").performScrollTo().captureToImage().toPixelMap()
        val pixels = IntArray(image.width * image.height) { image[it % image.width, it / image.width].toArgb() }
        val bitmap = BinaryBitmap(HybridBinarizer(RGBLuminanceSource(image.width, image.height, pixels)))
        val text = QRCodeReader().decode(bitmap, mapOf(DecodeHintType.CHARACTER_SET to "UTF-8")).text
        assertEquals(card.payload, text)
        assertTrue(text.startsWith("BEGIN:VCARD") && text.contains("FN:Clínica de Salud Eastside") && text.contains("(555) 010-2000"))
        assertFalse("nothing of the participant", text.contains("MA12JS"))
        rule.onNodeWithTag("card-back").performClick()
        rule.waitForTag("save")

        // Marked as suggested, saved: the phone's tally counts it by service, and nothing else.
        rule.onNodeWithTag("suggested-eastside-clinic").performScrollTo().performClick()
        rule.waitFor("the mark") { "eastside-clinic" in app.review.state.value.suggested }
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the encounter in the shift", app = app) { app.today.state.value.rows.size == 1 }
        val day = java.time.LocalDate.now()
        val total = app.openStore().reports().use { it.tally(day.minusDays(1).toString(), day.plusDays(1).toString(), null, null) }.total
        assertEquals(mapOf("eastside-clinic" to 1uL), total.byService)
    }

    @Test
    fun aNewCodeAsksTheProfileOnceAndANaloxoneKitAsksWhy() = withHub { hub ->
        val (app, _) = start()
        rule.joinThroughScreen(hub)
        // A kit without naloxone asks nothing about naloxone.
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        Thread.sleep(300)
        rule.onAllNodesWithTag("naloxone-kit").assertCountEquals(0)
        app.review.close()
        rule.waitForTag("kit-naloxone")

        rule.onNodeWithTag("kit-naloxone").performClick()
        rule.waitForTag("save")
        rule.waitFor("the core to ask why the kit", app = app) { app.review.state.value.asksNaloxoneKit }
        rule.onNodeWithText(English.naloxoneKitName(NaloxoneKit.FIRST)).performScrollTo().performClick()
        // A code new to this phone: the profile, one step, each question at "Ask later".
        rule.onNodeWithTag("participant-code").performScrollTo().performTextInput("PF01AA")
        rule.waitFor("the code to be new here", app = app) { app.review.state.value.seenBefore == false }
        rule.onNodeWithTag("profile").performScrollTo().assertExists()
        rule.onNodeWithText("White").performScrollTo().performClick()
        rule.onNodeWithText("Black or African American").performScrollTo().performClick()
        rule.onNodeWithText("This county").performScrollTo().performClick()
        // Given here: an HIV test, and the person linked to care.
        rule.onNodeWithText("HIV test").performScrollTo().performClick()
        rule.onNodeWithTag("linked-hiv-test").performScrollTo().performClick()
        rule.waitFor("the answers on the sheet") {
            val s = app.review.state.value
            s.raceIds == setOf("black", "white") && s.delivered["hiv-test"] == Outcome.LINKED_TO_CARE && s.naloxoneKit == NaloxoneKit.FIRST
        }
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the encounter in the shift", app = app) { app.today.state.value.rows.size == 1 }
        val day = java.time.LocalDate.now()
        val total = app.openStore().reports().use { it.tally(day.minusDays(1).toString(), day.plusDays(1).toString(), null, null) }.total
        assertEquals(mapOf("multiple" to 1uL), total.personsByRace)
        assertEquals("ethnicity left at Ask later", mapOf("not_recorded" to 1uL), total.personsByEthnicity)
        assertEquals(mapOf("this-county" to 1uL), total.personsByResidence)
        assertEquals(mapOf("hiv-test/linked_to_care" to 1uL), total.servicesDelivered)
        assertEquals(mapOf("first" to 1uL), total.naloxoneKits)

        // The same code again: seen here, so the profile is not asked twice.
        rule.waitForTag("kit-naloxone")
        rule.onNodeWithTag("kit-naloxone").performClick()
        rule.waitForTag("save")
        rule.onNodeWithTag("participant-code").performScrollTo().performTextInput("PF01AA")
        rule.waitFor("the code to be known", app = app) { app.review.state.value.seenBefore == true }
        rule.onAllNodesWithTag("profile").assertCountEquals(0)
        // Later, the person says they moved: the worker opens the profile and answers the one
        // question; the others stay at "Ask later" and keep what was said before.
        // Its action, not a tap at its centre: scrolled to the bottom edge, the button sits under
        // the sheet's Save bar in the test window.
        rule.onNodeWithTag("update-profile").performScrollTo().performSemanticsAction(SemanticsActions.OnClick)
        rule.waitFor("the profile opened", app = app) { app.review.state.value.asksProfile }
        rule.waitForTag("profile")
        rule.onNodeWithTag("profile").performScrollTo().assertExists()
        rule.onNodeWithText(English.profileUpdateTitle).assertExists()
        rule.onNodeWithText("Out of state").performScrollTo().performClick()
        rule.waitFor("the new answer on the sheet") { app.review.state.value.residence != ProfileAnswer.NotAsked }
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the second encounter in the shift", app = app) { app.today.state.value.rows.size == 2 }
        val after = app.openStore().reports().use { it.tally(day.minusDays(1).toString(), day.plusDays(1).toString(), null, null) }.total
        assertEquals("one person, under the newest answer", mapOf("out-of-state" to 1uL), after.personsByResidence)
        assertEquals("the earlier race stands", mapOf("multiple" to 1uL), after.personsByRace)
        // A new sheet starts closed again.
        rule.waitForTag("kit-naloxone")
        rule.onNodeWithTag("kit-naloxone").performClick()
        rule.waitForTag("save")
        rule.onNodeWithTag("participant-code").performScrollTo().performTextInput("PF01AA")
        rule.waitFor("the code to be known", app = app) { app.review.state.value.seenBefore == true }
        rule.onAllNodesWithTag("profile").assertCountEquals(0)
        app.review.close()
    }

    @Test
    fun wrongPinsMakeTheNextTryWaitEvenAfterARestart() = withHub { hub ->
        val (app, platform) = start()
        rule.joinThroughScreen(hub)
        app.lock()
        rule.waitForTag("digit-1")
        repeat(5) {
            for (d in listOf(9, 0, 5, 1)) rule.onNodeWithTag("digit-$d").performClick()
            rule.onNodeWithTag("pin-ok").performClick()
            rule.waitFor("the wrong PIN's answer") { app.unlock.state.value.error != null && !app.unlock.state.value.busy }
        }
        rule.waitForTag("pin-wait")
        assertTrue(app.unlock.state.value.waitSeconds in 1..30)
        // Once tries wait, the screen says when the phone's data would be erased (the program's
        // default: after 10 wrong PINs in a row), and how many tries are left.
        assertEquals(10, platform.preferences.wipeAfterFailedPins)
        rule.waitForTag("pin-wipe-warning")
        rule.onNodeWithText(English.wipeWarning(10, 5)).assertExists()

        // The same phone after the app was killed: the wait is still there.
        val (again, _) = AppModel(platform, app.scope).let { it to platform }
        again.unlock.refreshWait()
        rule.waitFor("the wait after a restart") { again.unlock.state.value.waitSeconds > 0 }
        assertEquals(Route.UNLOCK, again.state.value.route)
        rule.waitFor("the warning after a restart") { again.unlock.state.value.let { it.wipeLimit == 10 && it.triesLeft == 5 } }
    }

    @Test
    fun stockReceivesAndMarksLowItemsInWords() = withHub { hub ->
        val (app, _) = start()
        rule.joinThroughScreen(hub)
        rule.onNodeWithTag("tab-stock").performClick()
        rule.waitForText(English.chooseLocation)
        rule.onNodeWithText("Van 1").performClick()
        rule.waitForTag("stock-syringe-1ml")
        rule.onNodeWithTag("low-syringe-1ml").assertExists()
        rule.onNodeWithText(English.outOfStockText(200)).assertExists()
        rule.onNodeWithTag("receive-syringe-1ml").performClick()
        // 300 typed, not 30 long presses.
        rule.onNodeWithTag("stock-quantity").performTextReplacement("300")
        rule.waitFor("the typed number") { app.stock.state.value.entry?.quantity == 300 }
        rule.onNodeWithTag("stock-confirm").performClick()
        rule.waitFor("the receipt") { app.stock.state.value.rows.first { it.itemId == "syringe-1ml" }.level == 300L }
        rule.waitFor("the low mark to go") { rule.onAllNodesWithTag("low-syringe-1ml").fetchSemanticsNodes().isEmpty() }
        rule.onNodeWithTag("low-naloxone-nasal").assertExists()
        // Counted down to 5: low, not out.
        app.stock.begin(StockAction.COUNT, "syringe-1ml")
        repeat(40) { app.stock.step(-10) }
        repeat(5) { app.stock.step(1) }
        rule.onNodeWithTag("stock-confirm").performClick()
        rule.waitFor("the count") { app.stock.state.value.rows.first { it.itemId == "syringe-1ml" }.level == 5L }
        rule.waitForText(English.lowStockText(5, 200))
        assertTrue(app.stock.state.value.rows.first { it.itemId == "syringe-1ml" }.let { it.low && !it.out })
    }

    /** Leave now or delete everything: two taps from any screen, the open sheet included. */
    @Test
    fun quickExitIsTwoTapsFromAnyScreen() = withHub { hub ->
        val (app, _) = start()
        rule.joinThroughScreen(hub)
        // From the sheet, half filled: the lock, then "Lock and leave".
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        rule.onNodeWithTag("safety-open").performClick()
        rule.waitForTag("quick-exit")
        rule.onNodeWithText(English.quickExitExplain).assertExists()
        rule.onNodeWithTag("quick-exit").performClick()
        rule.waitFor("locked and left") { app.state.value.route == Route.UNLOCK && !app.state.value.leave }
        assertTrue("the store is closed", !app.hasOpenStore())
        rule.waitForTag("digit-1")
        // The other language, one tap away at the PIN, with the store still locked.
        rule.onNodeWithTag("language-switch").performClick()
        rule.waitForText(Spanish.unlockTitle)
        rule.onNodeWithTag("language-switch").performClick()
        rule.waitForText(English.unlockTitle)
        // Back in: from Stock, the panel opens and closes again with nothing changed.
        for (d in PIN) rule.onNodeWithTag("digit-$d").performClick()
        rule.onNodeWithTag("pin-ok").performClick()
        // The half-filled sheet is back (D97); Cancel drops it.
        rule.waitFor("the sheet back") { app.state.value.sheetOpen && app.state.value.notice?.text == English.draftBack }
        rule.onNodeWithTag("sheet-cancel").performClick()
        rule.waitForTag("tab-stock", app)
        rule.onNodeWithTag("tab-stock").performClick()
        rule.onNodeWithTag("safety-open").performClick()
        rule.waitForTag("quick-delete")
        rule.onNodeWithTag("safety-close").performClick()
        rule.waitFor("the panel closed") { !app.state.value.safetyOpen }
        assertTrue(app.hasOpenStore())
        assertEquals(Tab.STOCK, app.state.value.tab)
    }

    /** Every stepper stops at the core's limit, so Save never refuses what the form let through. */
    @Test
    fun steppersStopWhereTheCoreWouldRefuse() = withHub { hub ->
        val (app, _) = start()
        rule.joinThroughScreen(hub)
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        repeat(10) {
            app.review.stepCounter(Counter.OVERDOSE_REVERSALS, 10)
            app.review.stepCounter(Counter.COLLECTING_FOR, 10)
            app.review.stepCounter(Counter.NALOXONE_DOSES_USED, 50)
        }
        // A contact logged late: dated back as far as the core allows (the shift, less an hour).
        repeat(30) { app.review.stepMinutesEarlier(10) }
        val limits = org.satchel.ffi.formLimits()
        val s = app.review.state.value
        assertEquals(limits.minutesEarlier.max.toInt(), s.minutesEarlier)
        assertEquals(660, s.minutesEarlier)
        assertEquals(limits.overdoseReversals.max.toInt(), s.overdoseReversals)
        assertEquals(20, s.overdoseReversals)
        assertEquals(50, s.collectingFor)
        assertEquals(100, s.naloxoneDosesUsed)
        rule.onNodeWithTag("save").performClick()
        rule.waitFor("the encounter saved at the limits", app = app) { app.today.state.value.rows.size == 1 }
        assertEquals(null, app.review.state.value.error)
        val saved = app.openStore().encounters().use { it.recent(1u).first() }
        assertEquals("saved 11 hours earlier, to the minute", s.contactAt.epochSecond / 60, saved.occurredAt.epochSecond / 60)

        // Stock: a correction steps over 0, which the core refuses; a receipt never goes below 1.
        rule.onNodeWithTag("tab-stock").performClick()
        rule.waitForText(English.chooseLocation)
        rule.onNodeWithText("Van 1").performClick()
        rule.waitForTag("stock-syringe-1ml")
        app.stock.begin(StockAction.ADJUST, "syringe-1ml")
        app.stock.step(1)
        assertEquals(1, app.stock.state.value.entry?.quantity)
        app.stock.cancel()
        app.stock.begin(StockAction.RECEIVE, "syringe-1ml")
        app.stock.step(-10)
        assertEquals(1, app.stock.state.value.entry?.quantity)
        // Typed: letters dropped, held to the core's range, a minus only for a correction.
        app.stock.typeQuantity("99999999")
        assertEquals(limits.stockQuantity.max.toInt(), app.stock.state.value.entry?.quantity)
        app.stock.typeQuantity("-40")
        assertEquals(40, app.stock.state.value.entry?.quantity)
        app.stock.cancel()
        app.stock.begin(StockAction.ADJUST, "syringe-1ml")
        app.stock.typeQuantity("-4x0")
        assertEquals(-40, app.stock.state.value.entry?.quantity)
        app.stock.cancel()
    }

    @Test
    fun syncNowSendsEverythingAndAStoppedHubIsSaidPlainly() = withHub { hub ->
        val (app, platform) = start()
        rule.joinThroughScreen(hub)
        repeat(2) {
            rule.onNodeWithTag("kit-standard").performClick()
            rule.waitForTag("save")
            rule.onNodeWithTag("save").performClick()
            rule.waitForTag("kit-standard", app)
        }
        // One waiting count, from the core, on Log, Today and Sync: the two contacts.
        rule.waitForText(English.logStatus(2, 2, true))
        rule.onNodeWithTag("tab-today").performClick()
        rule.waitForText(English.shiftHeadline(2, 2))
        rule.onNodeWithTag("tab-sync").performClick()
        rule.waitFor("records waiting") { (app.sync.state.value.status?.pending ?: 0u) > 0u }
        rule.waitForText(English.contactsWaiting(2))
        assertEquals(2uL, app.sync.state.value.status!!.contactsWaiting)
        rule.onNodeWithTag("sync-now").performClick()
        rule.waitFor("the sync") { app.sync.state.value.status?.pending == 0uL && !app.sync.state.value.busy }
        rule.waitForText(English.allSent)
        rule.onNodeWithTag("tab-log").performClick()
        rule.waitForText(English.logStatus(2, 0, true))

        // The hub goes away: the worker logs on, Sync now says what happened, nothing is lost.
        hub.stop()
        rule.onNodeWithTag("tab-log").performClick()
        rule.onNodeWithTag("kit-smoking").performClick()
        rule.waitForTag("save")
        rule.onNodeWithTag("save").performClick()
        rule.waitForTag("kit-smoking")
        rule.onNodeWithTag("tab-sync").performClick()
        rule.waitForTag("sync-now")
        rule.onNodeWithTag("sync-now").performClick()
        rule.waitFor("the failed sync") { app.sync.state.value.status?.lastError != null && !app.sync.state.value.busy }
        assertEquals(1uL, app.sync.state.value.status?.pending?.let { if (it > 0uL) 1uL else 0uL })
        rule.onNodeWithText("Last try failed", substring = true).assertExists()

        // Offline: the button is disabled and says why, and Log says it too.
        platform.online = false
        app.sync.refresh()
        rule.waitForTag("sync-offline")
        app.log.refresh()
        rule.waitFor("offline on Log") { !app.log.state.value.online }
        assertTrue(English.logStatus(3, 1, false).endsWith("offline"))

        // The hub is back: everything arrives.
        platform.online = true
        hub.restart()
        app.sync.refresh()
        rule.waitFor("online again") { app.sync.state.value.online }
        rule.onNodeWithTag("sync-now").performClick()
        rule.waitFor("the second sync") { app.sync.state.value.status?.pending == 0uL && !app.sync.state.value.busy }
        // The manager pulls all three: none was lost while the hub was away.
        hub.manager.sync().use { it.syncNow() }
        val today = java.time.LocalDate.now()
        val total = hub.manager.reports().use {
            it.tally(today.minusDays(2).toString(), today.plusDays(2).toString(), null, null).total
        }
        assertEquals(3uL, total.encounters)
    }

    @Test
    fun quickDeleteRemovesEveryFileAndTheKey() = withHub { hub ->
        val (app, platform) = start()
        rule.waitForTag("join-code")
        rule.onNodeWithTag("join-code").performTextInput(hub.enrollmentCode())
        rule.onNodeWithTag("join-pin").performTextInput(PIN)
        rule.onNodeWithTag("join-pin-again").performTextInput(PIN)
        rule.onNodeWithContentDescriptionOrTag(English.useFingerprint)
        rule.onNodeWithTag("join").performClick()
        rule.waitForTag("kit-standard")
        assertTrue("fingerprint unlock made a key", platform.keystore.keys.containsKey(KeyUse.BIOMETRIC))
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        rule.onNodeWithTag("save").performClick()
        rule.waitForTag("kit-standard")
        assertTrue(File(platform.storeDir).list()!!.isNotEmpty())

        rule.onNodeWithTag("tab-settings").performClick()
        rule.waitForTag("quick-delete")
        rule.onNodeWithTag("quick-delete").performScrollTo().performTouchInput { swipeRight(durationMillis = 300) }
        rule.waitForTag("delete-countdown")
        // Cancel works during the countdown.
        // A real tap: the "Saved · Undo" message from the save above must not cover Cancel.
        rule.onNodeWithTag("delete-cancel").assertIsEnabled().performScrollTo().performClick()
        rule.waitForTag("quick-delete", app)
        assertTrue(File(platform.storeDir).list()!!.isNotEmpty())

        rule.onNodeWithTag("quick-delete").performScrollTo().performTouchInput { swipeRight(durationMillis = 300) }
        rule.waitFor("the wipe", timeoutMs = 30_000) { app.state.value.route == Route.JOIN }
        val left = File(platform.storeDir).list()?.toList() ?: emptyList()
        assertEquals("no file of the store is left", emptyList<String>(), left)
        assertEquals("no keystore key is left", emptySet<KeyUse>(), platform.keystore.keys.keys.toSet())
        assertEquals(null, platform.preferences.wipeAfterFailedPins)
        assertFalse(platform.syncScheduled)
    }
}

/** Runs [block] with a fresh hub, stopped afterwards (a JUnit 4 test must return nothing). */
fun withHub(block: (Hub) -> Unit) = Hub().use(block)

/** Turns on the fingerprint switch (its label is its content description). */
fun ComposeContentTestRule.onNodeWithContentDescriptionOrTag(description: String) {
    onNode(androidx.compose.ui.test.hasContentDescription(description)).performClick()
}
