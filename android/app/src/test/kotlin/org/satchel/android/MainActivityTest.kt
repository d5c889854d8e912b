package org.satchel.android

import android.graphics.Bitmap
import android.graphics.Canvas
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.view.WindowManager
import java.io.File
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.annotation.GraphicsMode
import org.satchel.app.model.Language
import org.satchel.app.model.Route
import org.satchel.app.strings.Spanish

/**
 * The real [MainActivity], with the real screens over the host build of the native library, on
 * Android 15's framework (Robolectric's android-all, offline): what only Android does.
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [35], qualifiers = "w411dp-h891dp-xxhdpi")
@GraphicsMode(GraphicsMode.Mode.NATIVE)
class MainActivityTest {
    private fun composeView(v: View): View? = when {
        v.javaClass.name.endsWith("AndroidComposeView") -> v
        v is ViewGroup -> (0 until v.childCount).firstNotNullOfOrNull { composeView(v.getChildAt(it)) }
        else -> null
    }

    private fun screenshot(activity: MainActivity, name: String): IntArray {
        val root = activity.window.decorView
        val bitmap = Bitmap.createBitmap(root.width, root.height, Bitmap.Config.ARGB_8888)
        root.draw(Canvas(bitmap))
        val file = File(System.getProperty("satchel.screenshots", "build/screenshots"), "$name.png")
        file.parentFile.mkdirs()
        file.outputStream().use { bitmap.compress(Bitmap.CompressFormat.PNG, 100, it) }
        // Something was drawn: more than one colour.
        val pixels = IntArray(bitmap.width * bitmap.height).also { bitmap.getPixels(it, 0, bitmap.width, 0, 0, bitmap.width, bitmap.height) }
        assertTrue("$name is blank", pixels.toSet().size > 1)
        return pixels
    }

    @Test
    fun aNewPhoneOpensOnJoinInASecureWindowSwitchesLanguageAndKeepsItAcrossRotation() {
        val controller = Robolectric.buildActivity(MainActivity::class.java).setup()
        shadowOf(Looper.getMainLooper()).idle()
        val activity = controller.get()
        val flags = activity.window.attributes.flags
        assertTrue("FLAG_SECURE: no screenshots, a blank preview", flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
        assertEquals(
            "the window is left out of autofill",
            View.IMPORTANT_FOR_AUTOFILL_NO_EXCLUDE_DESCENDANTS,
            activity.window.decorView.importantForAutofill,
        )
        assertNotNull("the screens are composed in the window", composeView(activity.window.decorView))
        val app = activity.application as SatchelApplication
        assertEquals(Route.JOIN, app.model.state.value.route)
        val english = screenshot(activity, "join")

        // The language switch: the screens redraw in Spanish at once, and the choice is kept in
        // the phone's preferences for the next start.
        app.model.settings.setLanguage(Language.SPANISH)
        shadowOf(Looper.getMainLooper()).idle()
        assertEquals(Spanish, app.model.strings)
        val spanish = screenshot(activity, "join-es")
        assertTrue("the screen changed", !english.contentEquals(spanish))
        assertEquals(Language.SPANISH, AndroidPlatform(app, app.platform.keystore).loadPreferences().language)

        // Rotation recreates the Activity; the screens' state lives in the application's model.
        controller.configurationChange(android.content.res.Configuration(activity.resources.configuration).apply {
            orientation = android.content.res.Configuration.ORIENTATION_LANDSCAPE
            screenWidthDp = 891
            screenHeightDp = 411
        })
        shadowOf(Looper.getMainLooper()).idle()
        assertEquals(Route.JOIN, app.model.state.value.route)
        assertTrue(controller.get().window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
        controller.pause().stop().destroy()
    }
}
