package org.satchel.app

import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import androidx.compose.ui.window.rememberWindowState
import java.awt.GraphicsEnvironment
import org.satchel.app.screens.SatchelApp

/**
 * The desktop preview: the app's screens in a window, over a phone that joined a real hub and
 * logged part of a shift. For a person without a phone: `mvn -q test-compile exec:java` in
 * android/ui (after bindings/generate.sh and `cargo build -p satchel-server`). The PIN is 2468.
 */
fun main() {
    if (GraphicsEnvironment.isHeadless()) {
        System.err.println("No display: the preview needs a window (run it on a desktop, or under Xvfb).")
        return
    }
    val hub = Hub()
    val (app, _) = demoPhone(hub)
    application {
        Window(
            onCloseRequest = { hub.close(); exitApplication() },
            title = "Satchel (preview)",
            state = rememberWindowState(width = 400.dp, height = 820.dp),
        ) { SatchelApp(app) }
    }
}
