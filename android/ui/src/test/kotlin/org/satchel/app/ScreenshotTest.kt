package org.satchel.app

import org.satchel.app.features.review.ProfileStep
import org.satchel.app.features.review.ServiceRow
import org.satchel.app.model.AppModel
import org.satchel.app.model.Language
import org.satchel.app.model.Tab
import org.satchel.app.model.ThemeChoice
import org.satchel.app.screens.SatchelApp
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.app.strings.Strings
import org.satchel.app.theme.SatchelTheme
import org.satchel.ffi.CardLanguage
import org.satchel.ffi.ProfileAnswer
import org.satchel.ffi.ServiceMatch
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.Density
import androidx.compose.ui.unit.dp
import java.io.File
import org.jetbrains.skia.EncodedImageFormat
import org.jetbrains.skia.Image
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * Every screen rendered offscreen, light and dark, English and Spanish, 100% and 200% text,
 * into target/screenshots/ (a person opens them there; `android/ui/screenshots.sh` copies a
 * few into docs/). Each image is checked not to be blank.
 */
class ScreenshotTest {
    private val out = File(System.getProperty("satchel.screenshots") ?: "target/screenshots").apply { mkdirs() }

    private fun render(app: AppModel, name: String): List<File> {
        val files = mutableListOf<File>()
        for (language in Language.entries) for (theme in listOf(ThemeChoice.LIGHT, ThemeChoice.DARK)) for (scale in listOf(1f, 2f)) {
            app.updatePreferences { it.copy(language = language, theme = theme) }
            app.refreshAll()
            app.state.value.notice?.let { app.dismissNotice(it.id) }
            Thread.sleep(150)
            val scene = ImageComposeScene(width = 540, height = 1170, density = Density(1.5f, fontScale = scale)) { SatchelApp(app) }
            try {
                var image: Image? = null
                for (frame in 0..5) image = scene.render(frame * 16_000_000L)
                val tag = "${name}-${language.name.lowercase().take(2)}-${theme.name.lowercase()}-${(scale * 100).toInt()}"
                val file = File(out, "$tag.png")
                file.writeBytes(image!!.encodeToData(EncodedImageFormat.PNG)!!.bytes)
                assertNotBlank(image, tag)
                files += file
            } finally {
                scene.close()
            }
        }
        return files
    }

    /** A part of a screen that sits below the fold, rendered on its own in both languages and themes. */
    private fun renderPart(name: String, height: Int = 900, content: @Composable (Strings) -> Unit): List<File> {
        val files = mutableListOf<File>()
        for (strings in listOf(English, Spanish)) for (dark in listOf(false, true)) {
            val scene = ImageComposeScene(width = 540, height = height, density = Density(1.5f)) {
                SatchelTheme(dark = dark) {
                    Surface(Modifier.fillMaxSize()) {
                        Column(Modifier.padding(16.dp)) { content(strings) }
                    }
                }
            }
            try {
                var image: Image? = null
                for (frame in 0..5) image = scene.render(frame * 16_000_000L)
                val tag = "$name-${if (strings == English) "en" else "sp"}-${if (dark) "dark" else "light"}-100"
                val file = File(out, "$tag.png")
                file.writeBytes(image!!.encodeToData(EncodedImageFormat.PNG)!!.bytes)
                assertNotBlank(image, tag)
                files += file
            } finally {
                scene.close()
            }
        }
        return files
    }

    private fun renderDirectory(services: List<ServiceMatch>): List<File> = renderPart("directory") { strings ->
        Text(strings.servicesTitle, style = MaterialTheme.typography.titleMedium)
        for (m in services) ServiceRow(m, m.service.id == "eastside-clinic", strings, {}, {})
    }

    private fun assertNotBlank(image: Image, tag: String) {
        val bitmap = org.jetbrains.skia.Bitmap.makeFromImage(image)
        val background = bitmap.getColor(2, 2)
        var differing = 0
        for (y in 0 until bitmap.height step 4) for (x in 0 until bitmap.width step 4) {
            if (bitmap.getColor(x, y) != background) differing++
        }
        val share = differing.toDouble() / ((bitmap.width / 4) * (bitmap.height / 4))
        assertTrue("$tag looks blank (${"%.2f".format(share * 100)}% of pixels differ from the background)", share > 0.01)
    }

    @Test
    fun everyScreenInBothThemesLanguagesAndTextSizes() = withHub { hub ->
        val (join, _) = newApp()
        val shots = mutableListOf<File>()
        shots += render(join, "join")

        hub.listServices()
        val (app, _) = demoPhone(hub)
        for (tab in Tab.entries) {
            app.selectTab(tab)
            waitUntil("the $tab tab") { app.state.value.tab == tab }
            Thread.sleep(300)
            shots += render(app, tab.name.lowercase())
        }
        app.selectTab(Tab.LOG)
        app.review.openKit("standard")
        waitUntil("the sheet") { app.state.value.sheetOpen }
        shots += render(app, "review")
        // The hand-over card, in each of the participant's languages.
        app.sync.syncNow()
        waitUntil("the directory") { app.openStore().program().use { it.servicesFor(listOf("moud")).isNotEmpty() } }
        app.review.handOver("eastside-clinic")
        waitUntil("the card") { app.review.state.value.card != null }
        for (language in listOf(CardLanguage.ENGLISH, CardLanguage.SPANISH)) {
            app.review.setCardLanguage(language)
            waitUntil("the card in $language") { app.review.state.value.cardLanguage == language }
            shots += render(app, "card-${language.name.lowercase().take(2)}")
        }
        app.review.closeCard()
        // "Where to go": the services under the referral chips, rendered on their own (on the
        // sheet they sit below the fold).
        app.review.toggleReferral("moud")
        waitUntil("the services") { app.review.state.value.services.size == 2 }
        shots += renderDirectory(app.review.state.value.services)
        // The profile step, asked when the code is new to this phone (below the fold on the sheet).
        app.review.setParticipantCode("PF09ZZ")
        waitUntil("the code to be new here") { app.review.state.value.seenBefore == false }
        app.review.toggleRace("white")
        app.review.setResidence(ProfileAnswer.Chosen(listOf("this-county")))
        val sheet = app.review.state.value
        assertTrue(sheet.asksProfile)
        shots += renderPart("profile", height = 2000) { strings -> ProfileStep(sheet, app.review, strings) }
        app.review.close()
        // Leave now or delete everything, one tap from any screen.
        app.openSafety()
        waitUntil("the safety panel") { app.state.value.safetyOpen }
        shots += render(app, "safety")
        app.closeSafety()
        app.lock()
        waitUntil("the fingerprint button") { app.unlock.state.value.fingerprint }
        shots += render(app, "unlock")
        // Five wrong PINs: the wait, and when the phone's data would be erased.
        repeat(5) {
            for (d in listOf(9, 0, 5, 1)) app.unlock.digit(d)
            app.unlock.submit()
            waitUntil("the wrong PIN's answer") { app.unlock.state.value.error != null && !app.unlock.state.value.busy }
        }
        waitUntil("the wipe warning") { app.unlock.state.value.wipeLimit != null && app.unlock.state.value.waitSeconds > 0 }
        shots += render(app, "unlock-wait")
        assertTrue(shots.size == 12 * 8 + 4 + 4)
    }
}
