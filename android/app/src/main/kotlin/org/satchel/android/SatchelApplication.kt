package org.satchel.android

import android.app.Application
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import org.satchel.app.model.AppModel

/** Holds the one [AppModel] for the process, so the Activity and the worker share the store. */
class SatchelApplication : Application() {
    lateinit var platform: AndroidPlatform
        private set
    lateinit var model: AppModel
        private set

    override fun onCreate() {
        super.onCreate()
        // Before the store is opened: the earlier versions' platform key is no longer used.
        AndroidKeystore.forgetLegacyPlatformKey(this)
        platform = AndroidPlatform(this)
        model = AppModel(platform, CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate))
        // The fingerprint prompt speaks the app's language.
        platform.keystore.strings = { model.strings }
    }
}
