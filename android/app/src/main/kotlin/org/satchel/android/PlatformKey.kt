package org.satchel.android

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import java.io.File
import java.security.KeyStore
import java.security.SecureRandom
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The platform key: 32 random bytes that unlock the store, kept wrapped (AES-GCM) by a key in
 * the AndroidKeyStore that never leaves it and is usable only while the phone is unlocked.
 * Quick delete removes both the wrapped bytes and the Keystore key.
 */
class PlatformKey(context: Context) {
    private val file = File(context.noBackupFilesDir, "platform-key.bin")
    private val alias = "satchel-platform-key"

    private fun keystore() = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }

    private fun wrappingKey(): SecretKey {
        (keystore().getEntry(alias, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
        val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
            .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
            .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
            .setKeySize(256)
            .apply { if (android.os.Build.VERSION.SDK_INT >= 28) setUnlockedDeviceRequired(true) }
            .build()
        return KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore").run {
            init(spec)
            generateKey()
        }
    }

    /** Makes the 32 bytes, stores them wrapped, and returns them (the caller wipes its copy). */
    fun create(): ByteArray {
        val key = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val cipher = Cipher.getInstance("AES/GCM/NoPadding").apply { init(Cipher.ENCRYPT_MODE, wrappingKey()) }
        val sealed = cipher.doFinal(key)
        file.writeBytes(byteArrayOf(cipher.iv.size.toByte()) + cipher.iv + sealed)
        return key
    }

    /** The 32 bytes, or `null` when there is no platform key. */
    fun read(): ByteArray? {
        if (!file.exists()) return null
        val data = file.readBytes()
        val ivLength = data[0].toInt()
        val iv = data.copyOfRange(1, 1 + ivLength)
        val cipher = Cipher.getInstance("AES/GCM/NoPadding").apply {
            init(Cipher.DECRYPT_MODE, wrappingKey(), GCMParameterSpec(128, iv))
        }
        return cipher.doFinal(data, 1 + ivLength, data.size - 1 - ivLength)
    }

    fun delete() {
        runCatching { if (file.exists()) { file.writeBytes(ByteArray(file.length().toInt())); file.delete() } }
        runCatching { keystore().deleteEntry(alias) }
    }
}
