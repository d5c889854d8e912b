package org.satchel.app.features.join

import org.satchel.app.model.AppModel
import org.satchel.ffi.checkNewPin
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update

data class JoinState(
    /** The text of the scanned or pasted enrollment QR code. A secret until used: never logged. */
    val code: String = "",
    val pin: String = "",
    val pinAgain: String = "",
    val fingerprint: Boolean = false,
    val fingerprintAvailable: Boolean = false,
    /** The store exists (a PIN was chosen) but has not joined a program yet: ask for the code only. */
    val codeOnly: Boolean = false,
    val busy: Boolean = false,
    val error: String? = null,
    /** Why the worker is here again (the phone's data was erased after wrong PINs). */
    val info: String? = null,
)

/**
 * Joining the program: the enrollment code, a PIN, optional fingerprint unlock. The store is
 * made only once the PIN passes the core's rules, and logging is offered only once the phone
 * has joined (the library refuses to enroll a store that has entries).
 *
 * Background sync is turned on at join: it is how a shift reaches the program when the worker
 * never opens the Sync tab. Its keystore key works only while the phone itself is unlocked;
 * Settings can turn it off.
 */
class JoinModel(private val app: AppModel) {
    private val _state = MutableStateFlow(JoinState(fingerprintAvailable = app.platform.biometricsAvailable()))
    val state: StateFlow<JoinState> = _state

    fun setCode(code: String) = _state.update { it.copy(code = code.trim(), error = null) }
    fun setPin(pin: String) = _state.update { it.copy(pin = pin.filter(Char::isDigit).take(8), error = null) }
    fun setPinAgain(pin: String) = _state.update { it.copy(pinAgain = pin.filter(Char::isDigit).take(8), error = null) }
    fun setFingerprint(on: Boolean) = _state.update { it.copy(fingerprint = on && it.fingerprintAvailable) }

    /** A QR code was scanned: its text is the code. */
    fun scanned(text: String) = setCode(text)

    internal fun codeOnly() = _state.update { JoinState(code = "", codeOnly = true, fingerprintAvailable = it.fingerprintAvailable) }

    internal fun reset(info: String? = null) =
        _state.update { JoinState(fingerprintAvailable = app.platform.biometricsAvailable(), info = info) }

    fun join() {
        val s = _state.value
        if (s.busy) return
        val strings = app.strings
        if (!s.codeOnly) {
            checkNewPin(s.pin)?.let { problem ->
                _state.update { it.copy(error = strings.pinProblem(problem)) }
                return
            }
            if (s.pin != s.pinAgain) {
                _state.update { it.copy(error = strings.pinsDiffer) }
                return
            }
        }
        if (s.code.isBlank()) {
            _state.update { it.copy(error = strings.invalid(strings.enrollmentCode)) }
            return
        }
        _state.update { it.copy(busy = true, error = null) }
        app.launch(onError = ::failed) {
            var fingerprintProblem: Throwable? = null
            app.onIo {
                val store = if (app.hasStore()) app.openStore() else {
                    val created = app.createStore(s.pin, backgroundSync = BACKGROUND_SYNC_AT_JOIN)
                    if (s.fingerprint) {
                        // The keystore shows the prompt for the new fingerprint key. Not turned on
                        // (cancelled, or the sensor failed): the worker joins with the PIN alone
                        // and can turn it on in Settings.
                        try {
                            created.setBiometricUnlock(true)
                        } catch (e: org.satchel.ffi.SatchelException) {
                            fingerprintProblem = e
                        }
                    }
                    created
                }
                store.sync().use { it.enroll(s.code) }
            }
            _state.update { JoinState(fingerprintAvailable = it.fingerprintAvailable) }
            app.afterUnlock()
            if (fingerprintProblem != null) app.notify(app.strings.fingerprintNotOn)
        }
    }

    companion object {
        /** Background sync on from the start (see the class comment). */
        const val BACKGROUND_SYNC_AT_JOIN = true
    }

    /** A failed join keeps what was typed; once the store exists, only the code is asked again. */
    private fun failed(e: Throwable) =
        _state.update { it.copy(busy = false, error = app.describe(e), codeOnly = it.codeOnly || app.hasStore(), pin = "", pinAgain = "") }
}
