package org.satchel.ffi

import java.security.SecureRandom
import java.util.concurrent.ConcurrentHashMap
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

/**
 * A stand-in for the phone's hardware keystore: HMAC-SHA256 under random keys held in this
 * process's memory, outside the store's files, as the Android Keystore keeps its keys outside
 * the app's files. [refuse] makes a key answer with an error instead (a cancelled prompt,
 * fingerprints that changed).
 */
class MemoryKeystore : PhoneKeystore {
    val keys = ConcurrentHashMap<KeyUse, ByteArray>()
    val refuse = ConcurrentHashMap<KeyUse, () -> KeystoreException>()
    /** How many times each key was asked for an answer (the prompts a worker would see). */
    val derived = ConcurrentHashMap<KeyUse, Int>()

    override fun createKey(keyUse: KeyUse) {
        keys[keyUse] = ByteArray(32).also { SecureRandom().nextBytes(it) }
    }

    override fun derive(keyUse: KeyUse, salt: ByteArray): ByteArray {
        derived.merge(keyUse, 1, Int::plus)
        refuse[keyUse]?.let { throw it() }
        val key = keys[keyUse] ?: throw KeystoreException.Missing()
        return Mac.getInstance("HmacSHA256").run {
            init(SecretKeySpec(key, "HmacSHA256"))
            doFinal(salt)
        }
    }

    override fun destroyKey(keyUse: KeyUse) {
        keys.remove(keyUse)?.fill(0)
    }
}
