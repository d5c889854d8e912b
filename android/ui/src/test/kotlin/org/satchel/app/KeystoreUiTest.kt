package org.satchel.app

import org.satchel.app.features.sync.SyncModel
import org.satchel.app.model.AppModel
import org.satchel.app.model.Route
import org.satchel.app.screens.SatchelApp
import org.satchel.app.strings.English
import org.satchel.ffi.KeyUse
import org.satchel.ffi.KeystoreException
import org.satchel.ffi.SatchelException
import org.satchel.ffi.panicWipe
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onAllNodesWithTag
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test

/**
 * The store's keys in the phone's keystore, through the real screens and the real library: the
 * fingerprint prompt (closed, changed fingerprints), background sync while the app is locked,
 * turning each off in Settings, and the wipe after the program's limit of wrong PINs.
 */
class KeystoreUiTest {
    @get:Rule
    val rule = createComposeRule()

    private fun start(): Pair<AppModel, TestPlatform> {
        val (app, platform) = newApp()
        rule.setContent { SatchelApp(app) }
        return app to platform
    }

    /** Joins through the screen with fingerprint unlock chosen. */
    private fun ComposeContentTestRule.joinWithFingerprint(hub: Hub) {
        waitForTag("join-code")
        onNodeWithTag("join-code").performTextInput(hub.enrollmentCode())
        onNodeWithTag("join-pin").performTextInput(PIN)
        onNodeWithTag("join-pin-again").performTextInput(PIN)
        onNodeWithContentDescriptionOrTag(English.useFingerprint)
        onNodeWithTag("join").performClick()
        waitForTag("kit-standard")
    }

    private fun ComposeContentTestRule.typePin(pin: String) {
        for (d in pin) onNodeWithTag("digit-$d").performClick()
        onNodeWithTag("pin-ok").performClick()
    }

    @Test
    fun fingerprintUnlocksAndAClosedPromptCountsNothing() = withHub { hub ->
        val (app, platform) = start()
        val keystore = platform.keystore
        rule.joinWithFingerprint(hub)
        assertEquals("one prompt to turn fingerprint unlock on", 1, keystore.prompts.get())
        assertEquals(
            "the PIN key, the fingerprint key, and background sync on from the join",
            setOf(KeyUse.PIN, KeyUse.BIOMETRIC, KeyUse.BACKGROUND),
            keystore.keys.keys.toSet(),
        )

        app.lock()
        rule.waitForTag("use-fingerprint")
        // One wrong PIN, then the prompt closed: still one wrong attempt, no message, the PIN pad.
        rule.typePin("9051")
        rule.waitFor("the wrong PIN") { app.unlock.state.value.error != null && !app.unlock.state.value.busy }
        keystore.refuse[KeyUse.BIOMETRIC] = { KeystoreException.Cancelled() }
        rule.onNodeWithTag("use-fingerprint").performClick()
        rule.waitFor("the closed prompt") { keystore.prompts.get() == 2 && !app.unlock.state.value.busy }
        assertEquals(Route.UNLOCK, app.state.value.route)
        assertEquals(1u, app.lockedStore().failedAttempts())
        rule.onNodeWithTag("digit-1").assertExists()
        assertEquals("a closed prompt needs no words", null, app.unlock.state.value.error)

        // The finger on the sensor: unlocked, and the count of wrong PINs starts again.
        keystore.refuse.remove(KeyUse.BIOMETRIC)
        rule.onNodeWithTag("use-fingerprint").performClick()
        rule.waitForTag("kit-standard", app)
        assertEquals(3, keystore.prompts.get())
        assertEquals(0u, app.openStore().failedAttempts())
    }

    @Test
    fun changedFingerprintsTurnItOffAndItIsOfferedAgainAfterThePin() = withHub { hub ->
        val (app, platform) = start()
        val keystore = platform.keystore
        rule.joinWithFingerprint(hub)
        app.lock()
        rule.waitForTag("use-fingerprint")
        keystore.refuse[KeyUse.BIOMETRIC] = { KeystoreException.Invalidated() }
        rule.onNodeWithTag("use-fingerprint").performClick()
        rule.waitForText(English.fingerprintChanged)
        rule.waitFor("fingerprint unlock turned off") { !keystore.keys.containsKey(KeyUse.BIOMETRIC) }
        rule.waitFor("the button gone") { rule.onAllNodesWithTag("use-fingerprint").fetchSemanticsNodes().isEmpty() }
        assertFalse(app.lockedStore().hasBiometricUnlock())
        assertEquals(0u, app.lockedStore().failedAttempts())

        // The PIN, then the offer to turn it on again (the new fingerprints' key, one prompt).
        keystore.refuse.remove(KeyUse.BIOMETRIC)
        rule.typePin(PIN)
        rule.waitForTag("kit-standard", app)
        rule.waitFor("the offer") { app.state.value.notice?.text == English.fingerprintOfferAgain }
        val prompts = keystore.prompts.get()
        app.state.value.notice!!.onAction!!.invoke()
        rule.waitFor("fingerprint unlock on again") { app.settings.state.value.fingerprint }
        assertEquals(prompts + 1, keystore.prompts.get())
        assertTrue(app.openStore().hasBiometricUnlock())
    }

    @Test
    fun settingsTurnFingerprintAndBackgroundSyncOnAndOff() = withHub { hub ->
        val (app, platform) = start()
        val keystore = platform.keystore
        rule.joinThroughScreen(hub)
        assertEquals(0, keystore.prompts.get())
        rule.onNodeWithTag("tab-settings").performClick()
        rule.waitForTag("setting-fingerprint")
        rule.waitFor("the store's switches") { app.settings.state.value.backgroundSync }
        assertFalse(app.settings.state.value.fingerprint)

        // On: the prompt. A closed prompt leaves it off, silently.
        keystore.refuse[KeyUse.BIOMETRIC] = { KeystoreException.Cancelled() }
        rule.onNodeWithTag("setting-fingerprint").performScrollTo().performClick()
        rule.waitFor("the closed prompt") { keystore.prompts.get() == 1 && !app.settings.state.value.switching }
        assertFalse(app.openStore().hasBiometricUnlock())
        assertEquals(null, app.state.value.notice)
        keystore.refuse.remove(KeyUse.BIOMETRIC)
        rule.onNodeWithTag("setting-fingerprint").performScrollTo().performClick()
        rule.waitFor("fingerprint on") { app.settings.state.value.fingerprint && !app.settings.state.value.switching }
        assertTrue(app.openStore().hasBiometricUnlock())
        // Off: its wrap and its keystore key are gone.
        rule.onNodeWithTag("setting-fingerprint").performScrollTo().performClick()
        rule.waitFor("fingerprint off") { !app.settings.state.value.fingerprint && !app.settings.state.value.switching }
        assertFalse(keystore.keys.containsKey(KeyUse.BIOMETRIC))

        // Background sync off: the locked app's worker no longer opens the store.
        rule.onNodeWithTag("setting-background-sync").performScrollTo().performClick()
        rule.waitFor("background sync off") { !app.settings.state.value.backgroundSync && !app.settings.state.value.switching }
        assertFalse(keystore.keys.containsKey(KeyUse.BACKGROUND))
        app.lock()
        assertEquals(SyncModel.Locked.OFF, SyncModel.syncWhileLocked(platform.storeDir, platform.keystore))
    }

    @Test
    fun backgroundSyncSendsTheShiftWhileTheAppIsLocked() = withHub { hub ->
        val (app, platform) = start()
        rule.joinThroughScreen(hub)
        repeat(2) {
            rule.onNodeWithTag("kit-standard").performClick()
            rule.waitForTag("save")
            rule.onNodeWithTag("save").performClick()
            rule.waitForTag("kit-standard", app)
        }
        app.lock()
        rule.waitForTag("digit-1")
        val prompts = platform.keystore.prompts.get()

        // What the worker runs: the background key (no prompt), sync, purge, lock again.
        assertEquals(SyncModel.Locked.SYNCED, SyncModel.syncWhileLocked(platform.storeDir, platform.keystore))
        assertEquals("no fingerprint prompt in the background", prompts, platform.keystore.prompts.get())
        assertFalse("the app stays locked", app.hasOpenStore())
        assertEquals(Route.UNLOCK, app.state.value.route)
        hub.manager.sync().use { it.syncNow() }
        val today = java.time.LocalDate.now()
        val total = hub.manager.reports().use { it.tally(today.minusDays(2).toString(), today.plusDays(2).toString(), null, null).total }
        assertEquals(2uL, total.encounters)

        // The phone's data erased behind its back: nothing to sync, no error.
        panicWipe(platform.storeDir, platform.keystore)
        assertEquals(SyncModel.Locked.NO_STORE, SyncModel.syncWhileLocked(platform.storeDir, platform.keystore))
    }

    @Test
    fun aPhoneWipedAfterWrongPinsGoesBackToJoinAndSaysWhy() = withHub { hub ->
        val (app, platform) = start()
        rule.joinThroughScreen(hub)
        assertEquals(10, platform.preferences.wipeAfterFailedPins)
        app.lock()
        rule.waitForTag("digit-1")
        // The library's wipe at the program's limit (ten wrong PINs take an hour of waits): the
        // keystore keys and every file gone, then `Wiped` for the PIN that reached the limit.
        panicWipe(platform.storeDir, platform.keystore)
        app.unlock.failed(SatchelException.Wiped(10u))

        rule.waitForTag("join-info")
        rule.onNodeWithText(English.wiped(10)).assertExists()
        assertEquals(Route.JOIN, app.state.value.route)
        assertEquals("the preference about the store is gone", null, platform.preferences.wipeAfterFailedPins)
        assertFalse("no background sync of a store that is gone", platform.syncScheduled)
        assertTrue(File(platform.storeDir).list().isNullOrEmpty())

        // A new code, a new PIN: the phone joins again from nothing.
        rule.joinThroughScreen(hub)
        assertEquals(Route.MAIN, app.state.value.route)
        assertEquals(0, rule.onAllNodesWithTag("join-info").fetchSemanticsNodes().size)
    }
}
