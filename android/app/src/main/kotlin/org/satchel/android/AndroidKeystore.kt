package org.satchel.android

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.os.Looper
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import androidx.annotation.RequiresApi
import androidx.biometric.BiometricManager.Authenticators.BIOMETRIC_STRONG
import androidx.biometric.BiometricPrompt
import androidx.core.content.ContextCompat
import androidx.fragment.app.FragmentActivity
import java.io.File
import java.security.KeyStore
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReference
import javax.crypto.KeyGenerator
import javax.crypto.Mac
import javax.crypto.SecretKey
import org.satchel.app.strings.English
import org.satchel.app.strings.Strings
import org.satchel.ffi.KeyUse
import org.satchel.ffi.KeystoreException
import org.satchel.ffi.PhoneKeystore

/**
 * The phone's hardware keystore for the library ([PhoneKeystore]): three HMAC-SHA256 keys in
 * the AndroidKeyStore, generated inside it (StrongBox where the phone has one) and never
 * exportable. The library asks for HMAC-SHA256(key, salt), computed inside the hardware, at
 * every unlock; nothing the keystore answers is kept here.
 *
 * - [KeyUse.PIN]: no user authentication on the key; the PIN is the check.
 * - [KeyUse.BIOMETRIC]: usable only after a strong biometric for each use (a
 *   [BiometricPrompt.CryptoObject] around the [Mac]), and invalidated when fingerprints are
 *   added or removed.
 * - [KeyUse.BACKGROUND]: no prompt, but usable only while the phone itself is unlocked (API 28+).
 *
 * The library calls [derive] on its own (IO) thread; for the biometric key, the prompt is shown
 * on the main thread over [activity] while that thread waits.
 */
class AndroidKeystore(private val context: Context) : PhoneKeystore {
    /** The Activity that shows the fingerprint prompt; set by [MainActivity] while it exists. */
    @Volatile var activity: FragmentActivity? = null

    /** The app's words for the prompt, in the language chosen in the app. */
    @Volatile var strings: () -> Strings = { English }

    companion object {
        private const val PROVIDER = "AndroidKeyStore"
        /** A prompt nobody answers is given up after this, as cancelled. */
        private const val PROMPT_TIMEOUT_MINUTES = 5L

        private fun alias(keyUse: KeyUse) = when (keyUse) {
            KeyUse.PIN -> "satchel-pin"
            KeyUse.BIOMETRIC -> "satchel-biometric"
            KeyUse.BACKGROUND -> "satchel-background"
        }

        /**
         * Removes the platform key of earlier versions (32 bytes wrapped under an AES key in the
         * AndroidKeyStore, in `platform-key.bin`): the library no longer takes it, and replaces
         * its wrap in the store's key file at the first PIN unlock.
         */
        fun forgetLegacyPlatformKey(context: Context) {
            val file = File(context.noBackupFilesDir, "platform-key.bin")
            runCatching { if (file.exists()) { file.writeBytes(ByteArray(file.length().toInt())); file.delete() } }
            runCatching { KeyStore.getInstance(PROVIDER).apply { load(null) }.deleteEntry("satchel-platform-key") }
        }
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }

    override fun createKey(keyUse: KeyUse): Unit = keystoreCall {
        val keyStore = keyStore()
        if (keyStore.containsAlias(alias(keyUse))) keyStore.deleteEntry(alias(keyUse))
        val inStrongBox = Build.VERSION.SDK_INT >= 28 &&
            context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE) &&
            generateInStrongBox(keyUse)
        if (!inStrongBox) generate(keyUse, strongBox = false)
    }

    /** `false` when StrongBox is there but cannot hold this key (then the phone's TEE does). */
    @RequiresApi(28)
    private fun generateInStrongBox(keyUse: KeyUse): Boolean = try {
        generate(keyUse, strongBox = true)
        true
    } catch (e: StrongBoxUnavailableException) {
        false
    }

    private fun generate(keyUse: KeyUse, strongBox: Boolean) {
        val spec = KeyGenParameterSpec.Builder(alias(keyUse), KeyProperties.PURPOSE_SIGN).apply {
            if (strongBox && Build.VERSION.SDK_INT >= 28) setIsStrongBoxBacked(true)
            when (keyUse) {
                KeyUse.PIN -> {}
                KeyUse.BIOMETRIC -> {
                    setUserAuthenticationRequired(true)
                    if (Build.VERSION.SDK_INT >= 30) {
                        // Every use needs a strong biometric (timeout 0: per operation).
                        setUserAuthenticationParameters(0, KeyProperties.AUTH_BIOMETRIC_STRONG)
                    } else {
                        @Suppress("DEPRECATION")
                        setUserAuthenticationValidityDurationSeconds(-1)
                    }
                    setInvalidatedByBiometricEnrollment(true)
                }
                KeyUse.BACKGROUND -> if (Build.VERSION.SDK_INT >= 28) setUnlockedDeviceRequired(true)
            }
        }.build()
        KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_HMAC_SHA256, PROVIDER).run {
            init(spec)
            generateKey()
        }
    }

    override fun derive(keyUse: KeyUse, salt: ByteArray): ByteArray = keystoreCall {
        val key = keyStore().getKey(alias(keyUse), null) as? SecretKey ?: throw KeystoreException.Missing()
        val mac = Mac.getInstance(KeyProperties.KEY_ALGORITHM_HMAC_SHA256)
        // A biometric key invalidated by new or removed fingerprints fails here, before any prompt.
        mac.init(key)
        val ready = if (keyUse == KeyUse.BIOMETRIC) authenticate(mac) else mac
        ready.doFinal(salt)
    }

    override fun destroyKey(keyUse: KeyUse): Unit = keystoreCall {
        val keyStore = keyStore()
        if (keyStore.containsAlias(alias(keyUse))) keyStore.deleteEntry(alias(keyUse))
    }

    /**
     * Shows the biometric prompt with [mac] as its crypto object on the main thread and waits on
     * this (background) thread for the answer: the authenticated [Mac], or `Cancelled`.
     */
    private fun authenticate(mac: Mac): Mac {
        if (Looper.myLooper() == Looper.getMainLooper()) {
            // Waiting here would freeze the prompt it waits for.
            throw KeystoreException.Failed("the fingerprint prompt was asked for on the main thread")
        }
        val activity = activity ?: throw KeystoreException.Failed("no screen to show the fingerprint prompt")
        val main = ContextCompat.getMainExecutor(activity)
        val done = CountDownLatch(1)
        val answer = AtomicReference<Mac?>()
        val problem = AtomicReference<KeystoreException?>()
        val shown = AtomicReference<BiometricPrompt?>()
        val words = strings()
        main.execute {
            val prompt = BiometricPrompt(
                activity,
                main,
                object : BiometricPrompt.AuthenticationCallback() {
                    override fun onAuthenticationSucceeded(result: BiometricPrompt.AuthenticationResult) {
                        val authenticated = result.cryptoObject?.mac
                        if (authenticated == null) problem.set(KeystoreException.Failed("the prompt returned no Mac"))
                        answer.set(authenticated)
                        done.countDown()
                    }

                    override fun onAuthenticationError(errorCode: Int, errString: CharSequence) {
                        problem.set(
                            when (errorCode) {
                                // Closed by the worker, by the app going away, timed out, or locked
                                // out after too many unrecognised fingers (the prompt said so):
                                // back to the PIN pad, nothing counted.
                                BiometricPrompt.ERROR_USER_CANCELED,
                                BiometricPrompt.ERROR_NEGATIVE_BUTTON,
                                BiometricPrompt.ERROR_CANCELED,
                                BiometricPrompt.ERROR_TIMEOUT,
                                BiometricPrompt.ERROR_LOCKOUT,
                                BiometricPrompt.ERROR_LOCKOUT_PERMANENT,
                                -> KeystoreException.Cancelled()
                                else -> KeystoreException.Failed("biometric error $errorCode")
                            },
                        )
                        done.countDown()
                    }
                    // onAuthenticationFailed: a finger not recognised; the prompt stays up and says so.
                },
            )
            shown.set(prompt)
            try {
                prompt.authenticate(
                    BiometricPrompt.PromptInfo.Builder()
                        .setTitle(words.appName)
                        .setSubtitle(words.fingerprintPrompt)
                        .setNegativeButtonText(words.cancel)
                        .setAllowedAuthenticators(BIOMETRIC_STRONG)
                        .setConfirmationRequired(false)
                        .build(),
                    BiometricPrompt.CryptoObject(mac),
                )
            } catch (e: Exception) {
                problem.set(KeystoreException.Failed(e.javaClass.simpleName))
                done.countDown()
            }
        }
        if (!done.await(PROMPT_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            main.execute { shown.get()?.cancelAuthentication() }
            throw KeystoreException.Cancelled()
        }
        problem.get()?.let { throw it }
        return answer.get() ?: throw KeystoreException.Failed("the prompt returned no Mac")
    }

    /** The keystore's exceptions as the library's errors: a few words, never key material. */
    private inline fun <T> keystoreCall(block: () -> T): T = try {
        block()
    } catch (e: KeystoreException) {
        throw e
    } catch (e: KeyPermanentlyInvalidatedException) {
        throw KeystoreException.Invalidated()
    } catch (e: Exception) {
        throw KeystoreException.Failed(e.javaClass.simpleName)
    }
}
