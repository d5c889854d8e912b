package org.satchel.app.features.settings

import org.satchel.app.model.AppModel
import org.satchel.app.model.Language
import org.satchel.app.model.ThemeChoice
import org.satchel.ffi.SatchelException
import org.satchel.ffi.checkNewPin
import org.satchel.ffi.panicWipe
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class SettingsState(
    val changingPin: Boolean = false,
    val currentPin: String = "",
    val newPin: String = "",
    val newPinAgain: String = "",
    val pinError: String? = null,
    /** Seconds left before quick delete runs; `null` when no countdown is running. */
    val deleteCountdown: Int? = null,
    /** Whether fingerprint unlock can be offered on this phone. */
    val fingerprintAvailable: Boolean = false,
    /** Fingerprint unlock is on for this store (read from the store). */
    val fingerprint: Boolean = false,
    /** Background sync can open the store while the app is locked (read from the store). */
    val backgroundSync: Boolean = false,
    /** A switch is being changed (the fingerprint prompt may be up). */
    val switching: Boolean = false,
) {
    /** The PIN change closed and its fields forgotten; the rest as it was. */
    fun withoutPins() = copy(changingPin = false, currentPin = "", newPin = "", newPinAgain = "", pinError = null)
}

/** Settings: language, theme, auto-lock, fingerprint unlock, background sync, change PIN and
 *  quick delete. */
class SettingsModel(private val app: AppModel) {
    private val _state = MutableStateFlow(SettingsState())
    val state: StateFlow<SettingsState> = _state
    private var countdown: Job? = null
    /** Fingerprint unlock stopped working (the phone's fingerprints changed): offer it again
     *  once the worker has unlocked with the PIN. */
    @Volatile private var offerFingerprint = false

    companion object {
        const val DELETE_SECONDS = 5
    }

    fun setLanguage(language: Language) = app.updatePreferences { it.copy(language = language) }
    fun setTheme(theme: ThemeChoice) = app.updatePreferences { it.copy(theme = theme) }
    fun setAutoLock(minutes: Int) = app.updatePreferences { it.copy(autoLockMinutes = minutes) }

    /** Reads from the store whether fingerprint unlock and background sync are on. */
    fun refresh() {
        if (!app.hasStore()) return
        app.launch {
            val (fingerprint, background) = app.onIo {
                val store = app.lockedStore()
                store.hasBiometricUnlock() to store.hasBackgroundSync()
            }
            val available = app.platform.biometricsAvailable()
            _state.update { it.copy(fingerprint = fingerprint, backgroundSync = background, fingerprintAvailable = available) }
            if (offerFingerprint && app.hasOpenStore() && available && !fingerprint) {
                offerFingerprint = false
                app.notify(app.strings.fingerprintOfferAgain, app.strings.turnOn) { setFingerprint(true) }
            }
        }
    }

    /**
     * Turns fingerprint unlock on (a new keystore key; the phone shows the fingerprint prompt,
     * so this runs on the IO dispatcher) or off (its wrap and its keystore key destroyed).
     */
    fun setFingerprint(on: Boolean) = switch(on, SettingsState::fingerprint) { app.openStore().setBiometricUnlock(on) }

    /** Turns sync while the app is locked on or off (its own keystore key). */
    fun setBackgroundSync(on: Boolean) = switch(on, SettingsState::backgroundSync) { app.openStore().setBackgroundSync(on) }

    private fun switch(on: Boolean, current: (SettingsState) -> Boolean, change: () -> Unit) {
        if (_state.value.switching || current(_state.value) == on) return
        _state.update { it.copy(switching = true) }
        app.launch(onError = { e ->
            _state.update { it.copy(switching = false) }
            // A closed prompt changes nothing and needs no words.
            if (e !is SatchelException.BiometricsCancelled) app.notify(app.describe(e))
            refresh()
        }) {
            app.onIo(change)
            _state.update { it.copy(switching = false) }
            refresh()
        }
    }

    /**
     * The keystore says the phone's fingerprints changed, so the fingerprint key no longer
     * works: turn fingerprint unlock off now (no PIN needed for that) and offer it again after
     * the worker unlocks with the PIN.
     */
    internal fun fingerprintStopped() {
        offerFingerprint = true
        _state.update { it.copy(fingerprint = false) }
        app.launch(onError = {}) { app.onIo { app.lockedStore().setBiometricUnlock(false) } }
    }

    fun startChangePin() = _state.update { it.copy(changingPin = true, pinError = null) }
    fun cancelChangePin() = _state.update { it.withoutPins() }
    fun setCurrentPin(p: String) = _state.update { it.copy(currentPin = p.filter(Char::isDigit).take(8), pinError = null) }
    fun setNewPin(p: String) = _state.update { it.copy(newPin = p.filter(Char::isDigit).take(8), pinError = null) }
    fun setNewPinAgain(p: String) = _state.update { it.copy(newPinAgain = p.filter(Char::isDigit).take(8), pinError = null) }

    fun changePin() {
        val s = _state.value
        checkNewPin(s.newPin)?.let { p -> _state.update { it.copy(pinError = app.strings.pinProblem(p)) }; return }
        if (s.newPin != s.newPinAgain) {
            _state.update { it.copy(pinError = app.strings.pinsDiffer) }
            return
        }
        app.launch(onError = { e -> _state.update { it.copy(pinError = app.describe(e), currentPin = "") } }) {
            app.onIo { app.openStore().changePin(s.currentPin, s.newPin) }
            _state.update { it.withoutPins() }
            app.notify(app.strings.pinChanged)
        }
    }

    /** The slider reached its end: a 5-second countdown the worker can still cancel. */
    fun startQuickDelete() {
        if (countdown?.isActive == true) return
        // Nothing may cover Cancel during the countdown (the "Saved · Undo" message sits at the
        // bottom of the screen, where Cancel is).
        app.state.value.notice?.let { app.dismissNotice(it.id) }
        _state.update { it.copy(deleteCountdown = DELETE_SECONDS) }
        countdown = app.scope.launch {
            while ((_state.value.deleteCountdown ?: 0) > 0) {
                delay(1000)
                _state.update { it.copy(deleteCountdown = it.deleteCountdown?.minus(1)) }
            }
            if (_state.value.deleteCountdown == 0) wipeNow()
        }
    }

    fun cancelQuickDelete() {
        countdown?.cancel()
        _state.update { it.copy(deleteCountdown = null) }
    }

    private suspend fun wipeNow() {
        _state.update { SettingsState() }
        offerFingerprint = false
        // The library destroys the store's keys in the phone's keystore first (without them no
        // copy of the files opens), then every file; each step runs even if one fails. The
        // open store's own wipe, then the one that needs no store, for whatever is left.
        app.onIo {
            if (app.hasStore()) runCatching { app.lockedStore().wipe() }
            runCatching { panicWipe(app.platform.storeDir, app.platform.keystore) }
        }
        app.afterWipe()
    }
}
