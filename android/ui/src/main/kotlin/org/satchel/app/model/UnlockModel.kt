package org.satchel.app.model

import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.satchel.ffi.SatchelException

data class UnlockState(
    /** How many digits are entered; the digits themselves stay inside the model. */
    val entered: Int = 0,
    /** Seconds before another try is accepted (the core's growing wait after wrong PINs). */
    val waitSeconds: Long = 0,
    val fingerprint: Boolean = false,
    val busy: Boolean = false,
    val error: String? = null,
)

/** The lock screen: a PIN pad, the wait after wrong PINs, fingerprint unlock. */
class UnlockModel(private val app: AppModel) {
    private val digits = StringBuilder()
    private var ticker: Job? = null
    private val _state = MutableStateFlow(UnlockState())
    val state: StateFlow<UnlockState> = _state

    fun digit(d: Int) {
        if (digits.length >= 8 || _state.value.busy || _state.value.waitSeconds > 0) return
        digits.append(d)
        _state.update { it.copy(entered = digits.length, error = null) }
    }

    fun backspace() {
        if (digits.isNotEmpty()) digits.setLength(digits.length - 1)
        _state.update { it.copy(entered = digits.length) }
    }

    internal fun reset() {
        clearDigits()
        _state.update { UnlockState(fingerprint = app.state.value.preferences.fingerprint) }
        refreshWait()
    }

    private fun clearDigits() {
        for (i in digits.indices) digits.setCharAt(i, '0')
        digits.setLength(0)
    }

    /** Reads the wait from the store's attempt counter (it survives restarts) and counts down. */
    fun refreshWait() {
        app.launch {
            val wait = app.onIo { app.lockedStore().unlockWaitSeconds().toLong() }
            _state.update { it.copy(waitSeconds = wait, fingerprint = app.state.value.preferences.fingerprint) }
            if (wait > 0) startTicker()
        }
    }

    private fun startTicker() {
        ticker?.cancel()
        ticker = app.scope.launch {
            while (_state.value.waitSeconds > 0) {
                delay(1000)
                _state.update { it.copy(waitSeconds = (it.waitSeconds - 1).coerceAtLeast(0)) }
            }
            refreshWait()
        }
    }

    fun submit() {
        if (digits.isEmpty() || _state.value.busy) return
        val pin = digits.toString()
        clearDigits()
        _state.update { it.copy(entered = 0, busy = true) }
        app.launch(onError = ::failed) {
            app.onIo { app.unlockWithPin(pin) }
            _state.update { UnlockState(fingerprint = it.fingerprint) }
            app.afterUnlock()
        }
    }

    fun useFingerprint() {
        app.launch(onError = ::failed) {
            val key = app.platform.readPlatformKey() ?: return@launch
            _state.update { it.copy(busy = true) }
            app.onIo { app.unlockWithKey(key) }
            _state.update { UnlockState(fingerprint = it.fingerprint) }
            app.afterUnlock()
        }
    }

    private fun failed(e: Throwable) {
        val wait = (e as? SatchelException.TryLater)?.seconds?.toLong() ?: 0
        _state.update { it.copy(busy = false, error = app.describe(e), waitSeconds = wait) }
        if (e is SatchelException.WrongPin) refreshWait() else if (wait > 0) startTicker()
    }
}
