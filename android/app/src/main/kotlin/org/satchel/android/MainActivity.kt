package org.satchel.android

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.os.Bundle
import android.view.View
import android.view.WindowManager
import android.view.inputmethod.EditorInfo
import androidx.activity.OnBackPressedCallback
import androidx.activity.compose.setContent
import androidx.compose.runtime.Composable
import androidx.compose.ui.ExperimentalComposeUiApi
import androidx.compose.ui.platform.InterceptPlatformTextInput
import androidx.compose.ui.platform.PlatformTextInputMethodRequest
import androidx.fragment.app.FragmentActivity
import androidx.lifecycle.DefaultLifecycleObserver
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.ProcessLifecycleOwner
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import org.satchel.app.screens.SatchelApp

/**
 * The one Activity: a secure window (no screenshots, a blank app-switcher preview), the app's
 * screens, covering them on screen-off and locking after the program's grace (D94) or the timeout
 * in the background, and the QR scanner.
 */
class MainActivity : FragmentActivity() {
    private val app get() = (application as SatchelApplication)

    private val scan = registerForActivityResult(ScanContract()) { result ->
        result.contents?.let { app.model.join.scanned(it) }
    }

    private val screenOff = object : BroadcastReceiver() {
        override fun onReceive(context: Context, intent: Intent) = app.model.onScreenOff()
    }

    private val appLifecycle = object : DefaultLifecycleObserver {
        override fun onStop(owner: LifecycleOwner) = app.model.onBackground()
        override fun onStart(owner: LifecycleOwner) {
            app.model.onForeground()
            app.model.refreshTheme()
        }
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        if (android.os.Build.VERSION.SDK_INT >= 33) setRecentsScreenshotEnabled(false)
        // Nothing in Satchel is for autofill services to read or fill (PINs, enrollment and
        // participant codes): the whole window is left out of autofill.
        window.decorView.importantForAutofill = View.IMPORTANT_FOR_AUTOFILL_NO_EXCLUDE_DESCENDANTS
        app.platform.activity = this
        registerReceiver(screenOff, IntentFilter(Intent.ACTION_SCREEN_OFF))
        ProcessLifecycleOwner.get().lifecycle.addObserver(appLifecycle)
        // Back closes the card, the sheet, another tab (the model decides); on Log, the join and
        // PIN screens it leaves the app as the system does.
        onBackPressedDispatcher.addCallback(this, object : OnBackPressedCallback(true) {
            override fun handleOnBackPressed() {
                if (app.model.back()) return
                isEnabled = false
                onBackPressedDispatcher.onBackPressed()
                isEnabled = true
            }
        })
        setContent {
            NoPersonalizedLearning {
                SatchelApp(
                    app.model,
                    onScan = {
                        scan.launch(ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setBeepEnabled(false).setOrientationLocked(false))
                    },
                    // Quick exit: locked already; the home screen comes up over the app.
                    onLeave = { moveTaskToBack(true) },
                )
            }
        }
    }

    override fun onDestroy() {
        unregisterReceiver(screenOff)
        ProcessLifecycleOwner.get().lifecycle.removeObserver(appLifecycle)
        if (app.platform.activity === this) app.platform.activity = null
        super.onDestroy()
    }
}

/**
 * Asks the keyboard not to learn from anything typed in Satchel (Android's
 * `IME_FLAG_NO_PERSONALIZED_LEARNING`, the "incognito" keyboard): no participant code, PIN or
 * enrollment code enters its suggestions or its cloud-synced dictionary. Compose 1.8's
 * `KeyboardOptions` has no such flag, so every text field's input request is wrapped here.
 */
@OptIn(ExperimentalComposeUiApi::class)
@Composable
private fun NoPersonalizedLearning(content: @Composable () -> Unit) {
    InterceptPlatformTextInput(
        interceptor = { request, nextHandler ->
            val incognito = PlatformTextInputMethodRequest { outAttributes ->
                request.createInputConnection(outAttributes).also {
                    outAttributes.imeOptions = outAttributes.imeOptions or EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING
                }
            }
            nextHandler.startInputMethod(incognito)
        },
        content = content,
    )
}
