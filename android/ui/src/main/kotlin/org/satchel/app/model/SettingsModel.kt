package org.satchel.app.model

import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.satchel.ffi.checkNewPin
import org.satchel.ffi.panicWipe

data class SettingsState(
    val changingPin: Boolean = false,
    val currentPin: String = "",
    val newPin: String = "",
    val newPinAgain: String = "",
    val pinError: String? = null,
    /** Seconds left before quick delete runs; `null` when no countdown is running. */
    val deleteCountdown: Int? = null,
)

/** Settings: language, theme, auto-lock, change PIN and quick delete. */
class SettingsModel(private val app: AppModel) {
    private val _state = MutableStateFlow(SettingsState())
    val state: StateFlow<SettingsState> = _state
    private var countdown: Job? = null

    companion object {
        const val DELETE_SECONDS = 5
    }

    fun setLanguage(language: Language) = app.updatePreferences { it.copy(language = language) }
    fun setTheme(theme: ThemeChoice) = app.updatePreferences { it.copy(theme = theme) }
    fun setAutoLock(minutes: Int) = app.updatePreferences { it.copy(autoLockMinutes = minutes) }

    fun startChangePin() = _state.update { it.copy(changingPin = true, pinError = null) }
    fun cancelChangePin() = _state.update { SettingsState(deleteCountdown = it.deleteCountdown) }
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
            _state.update { SettingsState() }
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
        // The key that opens the store first, then every file; each step runs even if one fails.
        runCatching { app.platform.deletePlatformKey() }
        app.onIo {
            if (app.hasStore()) runCatching { app.openStore().wipe() }
            runCatching { panicWipe(app.platform.storeDir) }
        }
        app.updatePreferences { it.copy(fingerprint = false) }
        app.afterWipe()
    }
}
