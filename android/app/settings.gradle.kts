// The Android app: one module that compiles android/ui's screens and state holders, the
// generated Kotlin bindings and the thin Android-only layer in src/main/kotlin.
// Open this folder in Android Studio. See docs/android.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "satchel"
