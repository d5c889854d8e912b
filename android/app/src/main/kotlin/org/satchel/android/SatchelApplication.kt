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
        platform = AndroidPlatform(this)
        model = AppModel(platform, CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate))
    }
}
