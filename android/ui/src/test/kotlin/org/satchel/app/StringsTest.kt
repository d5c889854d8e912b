package org.satchel.app

import org.satchel.app.model.Language
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.app.strings.Strings
import org.satchel.ffi.InputTopic
import org.satchel.ffi.PinProblem
import org.satchel.ffi.SatchelException
import org.junit.Assert.assertTrue
import org.junit.Test

/**
 * Both languages define every string (the compiler checks: each is an object implementing
 * [Strings]); here, that none is blank, that Spanish is not English left untranslated, and that
 * no stigmatizing word slipped in.
 */
class StringsTest {
    private fun texts(s: Strings): Map<String, String> =
        Strings::class.java.methods
            .filter { it.parameterCount == 0 && it.returnType == String::class.java }
            .associate { it.name to (it.invoke(s) as String) }

    @Test
    fun everyStringIsThereInBothLanguages() {
        val en = texts(English)
        val es = texts(Spanish)
        assertTrue("only ${en.size} strings", en.size >= 90)
        assertTrue(en.keys == es.keys)
        for ((k, v) in en + es) assertTrue("$k is blank", v.isNotBlank())
        val same = en.filter { (k, v) -> es[k] == v }.keys - setOf("getAppName")
        assertTrue("untranslated in Spanish: $same", same.size <= 3)
        for (p in PinProblem.entries) assertTrue(English.pinProblem(p) != Spanish.pinProblem(p))
        assertTrue(English.wipeWarning(10, 5) != Spanish.wipeWarning(10, 5))
        assertTrue(English.wiped(10) != Spanish.wiped(10))
        // A refused value is worded by its topic in each language; the core's English reason
        // never reaches a Spanish screen.
        for (t in InputTopic.entries) {
            assertTrue("$t", English.invalidTopic(t) != Spanish.invalidTopic(t) && !Spanish.invalidTopic(t).contains("Please"))
        }
        val refused = SatchelException.InvalidInput("occurred_at", "is in the future; check the phone's clock", InputTopic.TIME)
        val app = newApp().first
        app.updatePreferences { it.copy(language = org.satchel.app.model.Language.SPANISH) }
        assertTrue(app.describe(refused) == Spanish.invalidTopic(InputTopic.TIME) && !app.describe(refused).contains("future"))
    }

    @Test
    fun wordsArePersonFirst() {
        // Person-first in both languages: the stigmatizing words and their other forms.
        val banned = listOf(
            "clean", "dirty", "addict", "abuse", "junkie",
            "limpia", "limpio", "sucia", "sucio", "adicto", "adicta", "drogadict", "abuso", "toxicómano",
        )
        for (s in listOf(English, Spanish)) for ((k, v) in texts(s)) {
            for (w in banned) assertTrue("$k says \"$w\"", !v.lowercase().contains(w))
        }
    }
}
