package org.satchel.app

import org.satchel.app.model.Language
import org.satchel.app.model.Route
import org.satchel.ffi.Choice
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test

/** A worker who uses Spanish reads the program's own names in Spanish, and sees which are not (D98). */
class ProgramNamesTest {
    @Test
    fun theProgramsNamesAreInTheWorkersLanguageAndEnglishIsMarkedWhereThereIsNoSpanish() = withHub { hub ->
        // A zone the manager wrote in English only.
        hub.manager.program().use { it.putZoneForTesting(Choice("harbor", "Harbor", null, 9u, true)) }
        hub.manager.sync().use { it.syncNow() }
        val (app, _) = newApp()
        app.updatePreferences { it.copy(language = Language.SPANISH) }
        app.join.setCode(hub.enrollmentCode())
        app.join.setPin(PIN)
        app.join.setPinAgain(PIN)
        app.join.join()
        waitUntil("joined") { app.state.value.route == Route.MAIN }
        // The program's settings arrive at the phone's sync.
        app.sync.syncNow()
        waitUntil("the zone on the phone") { app.openStore().program().use { p -> p.settings().zones.any { it.id == "harbor" } } }
        app.log.refresh()
        waitUntil("the kits") { app.log.state.value.kits.isNotEmpty() }
        val standard = app.log.state.value.kits.first { it.id == "standard" }
        assertEquals("Kit estándar para inyectarse", standard.name)
        assertTrue(standard.contents, standard.contents.contains("Jeringa 1 mL 29G"))

        app.review.openKit("standard")
        waitUntil("the sheet") { app.state.value.sheetOpen && app.review.state.value.items.isNotEmpty() }
        val sheet = app.review.state.value
        assertEquals("Kit estándar para inyectarse", sheet.kitName)
        assertTrue(sheet.items.any { it.name == "Jeringa 1 mL 29G" })
        val zones = sheet.zones.map { it.label }
        assertTrue(zones.toString(), "Centro" in zones && "Harbor (EN)" in zones)
        assertTrue(sheet.referralTypes.any { it.label == "Salud mental" })
        // The language changed with the sheet open: its names follow, what was entered stays.
        app.review.step("syringe-1ml", 3)
        app.updatePreferences { it.copy(language = Language.ENGLISH) }
        val english = app.review.state.value
        assertEquals("Standard injection kit", english.kitName)
        assertTrue(english.zones.any { it.label == "Downtown" })
        assertEquals(13, english.items.first { it.id == "syringe-1ml" }.quantity)
        app.updatePreferences { it.copy(language = Language.SPANISH) }
        app.review.close()

        app.stock.chooseLocation("van-1")
        waitUntil("the stock rows") { app.stock.state.value.rows.isNotEmpty() }
        assertEquals("Camioneta 1", app.stock.state.value.locationName)
        assertTrue(app.stock.state.value.rows.any { it.name == "Toallita con alcohol" })

        // Back to English: the English names.
        app.updatePreferences { it.copy(language = Language.ENGLISH) }
        app.log.refresh()
        waitUntil("English kits") { app.log.state.value.kits.any { it.name == "Standard injection kit" } }
    }
}
