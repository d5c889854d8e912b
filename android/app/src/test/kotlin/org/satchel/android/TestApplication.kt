package org.satchel.android

import org.satchel.app.MemoryKeystore
import org.satchel.ffi.PhoneKeystore

/**
 * The real application but for the keystore: Android's framework on the JVM has no Android
 * Keystore provider, so keys are held in memory ([MemoryKeystore], as the screens' tests do).
 */
class TestApplication : SatchelApplication() {
    override fun keystore(): PhoneKeystore = MemoryKeystore()
}
