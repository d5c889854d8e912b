package org.satchel.app

import org.satchel.app.features.review.Counter
import org.satchel.app.model.Language
import org.satchel.app.model.Route
import org.satchel.app.model.Tab
import org.satchel.app.screens.SatchelApp
import androidx.compose.foundation.layout.requiredSize
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsNode
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onRoot
import androidx.compose.ui.test.performClick
import androidx.compose.ui.text.TextLayoutResult
import androidx.compose.ui.unit.Density
import androidx.compose.ui.unit.dp
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Rule
import org.junit.Test

/** Every control can be found and hit: a label TalkBack reads, and at least 48 dp each way. */
class AccessibilityTest {
    @get:Rule
    val rule = createComposeRule()

    private fun label(node: SemanticsNode): String? {
        val c = node.config
        val parts = (c.getOrNull(SemanticsProperties.ContentDescription) ?: emptyList()) +
            (c.getOrNull(SemanticsProperties.Text)?.map { it.text } ?: emptyList()) +
            listOfNotNull(c.getOrNull(SemanticsProperties.EditableText)?.text)
        return parts.joinToString(" ").ifBlank { null }
    }

    private fun checkScreen(name: String, problems: MutableList<String>) {
        rule.waitForIdle()
        val minPx = with(rule.density) { 47.5f * density }
        for (node in rule.onAllNodes(hasClickAction()).fetchSemanticsNodes()) {
            val size = node.touchBoundsInRoot
            if (node.boundsInRoot.isEmpty) continue // composed ahead of scrolling, not on screen
            val what = label(node)
            if (what == null) problems += "$name: a control without a label at $size"
            // The touch target: Material's enlarged touch bounds, or the layout size where a
            // scroll edge clips the bounds.
            val w = maxOf(size.width, node.size.width.toFloat())
            val h = maxOf(size.height, node.size.height.toFloat())
            if (w < minPx || h < minPx) {
                problems += "$name: \"$what\" is ${w / rule.density.density} × ${h / rule.density.density} dp"
            }
        }
    }

    /** Within the lock grace the window draws nothing of the shift (not even in the tree). */
    @Test
    fun aCoveredWindowDrawsNothingOfTheShift() = withHub { hub ->
        val (app, platform) = newApp()
        rule.setContent { SatchelApp(app) }
        rule.joinThroughScreen(hub)
        rule.waitForTag("kit-standard")
        app.onScreenOff()
        rule.waitForTag("cover")
        assertTrue(rule.onAllNodes(hasClickAction()).fetchSemanticsNodes().isEmpty())
        platform.clock = platform.clock.plusSeconds(10)
        app.onForeground()
        rule.waitForTag("kit-standard")
        rule.onNodeWithTag("cover").assertDoesNotExist()
    }

    @Test
    fun everyControlHasALabelAndA48dpTarget() = withHub { hub ->
        val (app, _) = newApp()
        rule.setContent { SatchelApp(app) }
        val problems = mutableListOf<String>()
        checkScreen("join", problems)
        rule.joinThroughScreen(hub)
        rule.waitFor("the stock location") { true }
        app.openStore().stock().use { it.setDeviceLocation("van-1") }
        for (tab in Tab.entries) {
            app.selectTab(tab)
            rule.waitForTag("tab-${tab.name.lowercase()}")
            checkScreen(tab.name, problems)
        }
        app.selectTab(Tab.LOG)
        rule.waitForTag("kit-standard")
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        checkScreen("review sheet", problems)
        app.review.close()
        app.lock()
        rule.waitForTag("digit-1")
        checkScreen("unlock", problems)
        assertTrue(problems.joinToString("\n"), problems.isEmpty())
    }

    /**
     * Every text drawn at 200% breaks its lines only between words (a space, or after a
     * hyphen, slash, dot or comma): never "Nalo/xone", "03:0/9" or "Anula/r". Read from each
     * text's own layout, on every screen, in both languages.
     */
    @Test
    fun noTextBreaksInsideAWordAt200Percent() = withHub { hub ->
        val (app, _) = demoPhone(hub)
        rule.setContent {
            // A phone's width (360 dp), as the screenshots are drawn.
            CompositionLocalProvider(LocalDensity provides Density(1.5f, fontScale = 2f)) {
                androidx.compose.foundation.layout.Box(Modifier.requiredSize(360.dp, 780.dp)) { SatchelApp(app) }
            }
        }
        val problems = mutableListOf<String>()
        var wrapped = 0
        fun check(screen: String) {
            rule.waitForIdle()
            for (node in rule.onAllNodes(SemanticsMatcher.keyIsDefined(SemanticsActions.GetTextLayoutResult)).fetchSemanticsNodes()) {
                if (node.boundsInRoot.isEmpty) continue
                val layouts = mutableListOf<TextLayoutResult>()
                node.config[SemanticsActions.GetTextLayoutResult].action?.invoke(layouts)
                for (layout in layouts) {
                    val text = layout.layoutInput.text.text
                    if (layout.lineCount > 1) wrapped++
                    for (line in 0 until layout.lineCount - 1) {
                        val end = layout.getLineEnd(line)
                        if (end <= 0 || end >= text.length) continue
                        val before = text[end - 1]
                        val after = text[end]
                        if (!before.isWhitespace() && !after.isWhitespace() && before !in "-/·,.:()×" && after !in "·(") {
                            problems += "$screen: \"$text\" breaks at \"${text.substring(maxOf(0, end - 6), end)}|${text.substring(end, minOf(text.length, end + 6))}\""
                        }
                    }
                }
            }
        }
        for (language in Language.entries) {
            app.updatePreferences { it.copy(language = language) }
            for (tab in Tab.entries) {
                app.selectTab(tab)
                waitUntil("the $tab tab") { app.state.value.tab == tab }
                Thread.sleep(300)
                check("${language.name.lowercase()} $tab")
            }
            app.selectTab(Tab.LOG)
            app.review.openKit("standard")
            waitUntil("the sheet") { app.state.value.sheetOpen }
            check("${language.name.lowercase()} sheet")
            app.review.close()
        }
        assertTrue("only $wrapped texts wrapped: the check saw too little", wrapped > 20)
        assertTrue(problems.distinct().joinToString("\n"), problems.isEmpty())
    }

    @Test
    fun saveStaysOnScreenAt200PercentText() = withHub { hub ->
        val (app, _) = newApp()
        rule.setContent {
            val d = LocalDensity.current
            CompositionLocalProvider(LocalDensity provides Density(d.density, fontScale = 2f)) { SatchelApp(app) }
        }
        rule.joinThroughScreen(hub)
        rule.onNodeWithTag("kit-standard").performClick()
        rule.waitForTag("save")
        rule.onNodeWithTag("save").assertIsDisplayed()
        val save = rule.onNodeWithTag("save").fetchSemanticsNode().boundsInRoot
        val root = rule.onRoot().fetchSemanticsNode().boundsInRoot
        assertTrue("Save at $save lies inside the window $root", save.bottom <= root.bottom && save.top >= root.top)
    }
}

/** The model's clock-driven lock, without the screens. */
class AutoLockTest {
    @Test
    fun locksAfterTheTimeoutAndWhenTheScreenTurnsOff() = withHub { hub ->
        val (app, platform) = newApp()
        app.join.setCode(hub.enrollmentCode())
        app.join.setPin(PIN)
        app.join.setPinAgain(PIN)
        app.join.join()
        waitUntil("joined") { app.state.value.route == org.satchel.app.model.Route.MAIN }

        app.onBackground()
        platform.clock = platform.clock.plusSeconds(60)
        app.onForeground()
        assertTrue("a minute away does not lock (2-minute default)", app.openStore().isUnlocked())

        app.onBackground()
        platform.clock = platform.clock.plusSeconds(121)
        app.onForeground()
        assertTrue("locked after the timeout", !app.openStore().isUnlocked())
        assertTrue(app.state.value.route == org.satchel.app.model.Route.UNLOCK)

        app.unlockWithPin(PIN)
        app.afterUnlock()
        assertEquals("the program's grace, read from the store", 60L, app.lockGraceSeconds)
        // A screen that times out mid-shift: covered at once, the shift goes on within the grace.
        app.onScreenOff()
        assertTrue(app.state.value.covered && app.openStore().isUnlocked())
        platform.clock = platform.clock.plusSeconds(30)
        app.onForeground()
        assertTrue("back within the grace", !app.state.value.covered && app.openStore().isUnlocked())
        assertEquals(org.satchel.app.model.Route.MAIN, app.state.value.route)
        // Off past the grace: locked when it comes back.
        app.onScreenOff()
        platform.clock = platform.clock.plusSeconds(61)
        app.onForeground()
        assertTrue("locked after the grace", !app.hasOpenStore() && !app.state.value.covered)
        assertEquals(org.satchel.app.model.Route.UNLOCK, app.state.value.route)
        // A phone left with its screen off locks by itself once the grace has passed.
        app.unlockWithPin(PIN)
        app.afterUnlock()
        app.lockGraceSeconds = 1
        app.onScreenOff()
        waitUntil("the grace to lock the store", timeoutMs = 5_000) { !app.hasOpenStore() }
        // A program that sets no grace locks at once.
        app.unlockWithPin(PIN)
        app.afterUnlock()
        app.lockGraceSeconds = 0
        app.onScreenOff()
        assertTrue("locked when the screen turns off", !app.hasOpenStore())
    }

    @Test
    fun aSheetOpenWhenThePhoneLocksComesBackAfterThePinWithoutTheCode() = withHub { hub ->
        val (app, platform) = newApp()
        app.join.setCode(hub.enrollmentCode())
        app.join.setPin(PIN)
        app.join.setPinAgain(PIN)
        app.join.join()
        waitUntil("joined") { app.state.value.route == org.satchel.app.model.Route.MAIN }
        app.review.openKit("standard")
        waitUntil("the sheet") { app.state.value.sheetOpen && app.review.state.value.items.isNotEmpty() }
        val items = app.review.state.value.items
        app.review.stepCounter(org.satchel.app.features.review.Counter.SYRINGES_COLLECTED, 10)
        app.review.setParticipantCode("MA12JS")
        // The screen times out and stays off past the grace: locked, the sheet kept.
        app.onScreenOff()
        platform.clock = platform.clock.plusSeconds(61)
        app.onForeground()
        assertTrue(!app.hasOpenStore() && !app.state.value.sheetOpen)
        assertEquals("nothing of the sheet stays in memory", "", app.review.state.value.participantCode)
        app.unlockWithPin(PIN)
        app.afterUnlock()
        waitUntil("the sheet back") { app.state.value.sheetOpen }
        val back = app.review.state.value
        assertEquals(10, back.syringesCollected)
        assertEquals(items, back.items)
        assertEquals("Standard injection kit", back.kitName)
        assertEquals("the code is typed again", "", back.participantCode)
        assertEquals(app.strings.draftBackRetypeCode, app.state.value.notice?.text)
        // Taken once: closed and locked again with no sheet open, nothing comes back.
        app.review.close()
        app.lock()
        app.unlockWithPin(PIN)
        app.afterUnlock()
        Thread.sleep(300)
        assertTrue("no draft the second time", !app.state.value.sheetOpen)
    }
}
