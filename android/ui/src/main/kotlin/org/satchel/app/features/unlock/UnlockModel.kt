package org.satchel.app.features.unlock

import org.satchel.app.model.AppModel
import org.satchel.ffi.SatchelException
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

data class UnlockState(
    /** How many digits are entered; the digits themselves stay inside the model. */
    val entered: Int = 0,
    /** Seconds before another try is accepted (the core's growing wait after wrong PINs). */
    val waitSeconds: Long = 0,
    /** Fingerprint unlock is on for this store (read from the store, not from preferences). */
    val fingerprint: Boolean = false,
    val busy: Boolean = false,
    val error: String? = null,
    /**
     * Said once wrong PINs start to make the worker wait, and while wrong ones follow: after
     * how many wrong PINs in a row the phone's data is erased (the program's setting)...
     * `null` when the program never erases, or before tries wait.
     */
    val wipeLimit: Int? = null,
    /** ...and how many tries are left before it is. */
    val triesLeft: Int = 0,
)

/**
 * The lock screen: a PIN pad, the wait after wrong PINs, fingerprint unlock. Every unlock runs
 * on the IO dispatcher: the keystore may block its thread (the fingerprint prompt).
 */
class UnlockModel(private val app: AppModel) {
    private val digits = StringBuilder()
    private var ticker: Job? = null
    private val _state = MutableStateFlow(UnlockState())
    val state: StateFlow<UnlockState> = _state

    /** Wrong PINs have made this worker wait at least once since the last unlock. */
    private var triesWait = false

    fun digit(d: Int) {
        if (digits.length >= 8 || _state.value.busy || _state.value.waitSeconds > 0) return
        digits.append(d)
        _state.update { it.copy(entered = digits.length, error = null) }
    }

    fun backspace() {
        if (digits.isNotEmpty()) digits.setLength(digits.length - 1)
        _state.update { it.copy(entered = digits.length) }
    }

    /** The app locked: a fresh PIN screen, with the wait and fingerprint read from the store. */
    internal fun reset() {
        clear()
        refreshWait()
    }

    /** Forgets what was typed and shown (also when the store is gone). */
    internal fun clear() {
        ticker?.cancel()
        clearDigits()
        triesWait = false
        _state.update { UnlockState(fingerprint = it.fingerprint) }
    }

    private fun clearDigits() {
        for (i in digits.indices) digits.setCharAt(i, '0')
        digits.setLength(0)
    }

    /** Reads the wait from the store's attempt counter (it survives restarts), whether
     *  fingerprint unlock is on, and counts down. */
    fun refreshWait() {
        app.launch {
            val (wait, fingerprint, failed) = app.onIo {
                val store = app.lockedStore()
                Triple(store.unlockWaitSeconds().toLong(), store.hasBiometricUnlock(), store.failedAttempts().toInt())
            }
            if (wait > 0) triesWait = true
            if (failed == 0) triesWait = false
            val limit = app.state.value.preferences.wipeAfterFailedPins?.takeIf { it > 0 && triesWait }
            _state.update {
                it.copy(
                    waitSeconds = wait,
                    fingerprint = fingerprint,
                    wipeLimit = limit,
                    triesLeft = limit?.let { l -> (l - failed).coerceAtLeast(0) } ?: 0,
                )
            }
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
            unlocked()
        }
    }

    /** Fingerprint unlock: the keystore shows the prompt while the IO thread waits for it. */
    fun useFingerprint() {
        if (_state.value.busy || !_state.value.fingerprint) return
        _state.update { it.copy(busy = true, error = null) }
        app.launch(onError = ::failed) {
            app.onIo { app.unlockWithBiometrics() }
            unlocked()
        }
    }

    private fun unlocked() {
        triesWait = false
        _state.update { UnlockState(fingerprint = it.fingerprint) }
        app.afterUnlock()
    }

    internal fun failed(e: Throwable) {
        when (e) {
            // The worker closed the prompt: the PIN pad, as it was; nothing was counted.
            is SatchelException.BiometricsCancelled -> _state.update { it.copy(busy = false) }
            // The phone's fingerprints changed, so the biometric key no longer works. Fingerprint
            // unlock is turned off now (that needs no PIN); after the PIN, it is offered again.
            is SatchelException.BiometricsChanged -> {
                _state.update { it.copy(busy = false, fingerprint = false, error = app.strings.fingerprintChanged) }
                app.settings.fingerprintStopped()
            }
            // The program's limit of wrong PINs: the store, its keys and its files are gone.
            is SatchelException.Wiped -> app.afterWipedByWrongPins(e.failedAttempts.toInt())
            else -> {
                val wait = (e as? SatchelException.TryLater)?.seconds?.toLong() ?: 0
                if (wait > 0) triesWait = true
                _state.update { it.copy(busy = false, error = app.describe(e), waitSeconds = wait) }
                if (e is SatchelException.WrongPin || e is SatchelException.TryLater) refreshWait()
            }
        }
    }
}
