// The Android app. Not built on the machines that test Satchel (no Android SDK there): the
// screens it shows are android/ui, compiled and tested on the JVM; this adds the Activity,
// the Keystore keys, the background sync worker, the QR scanner and the native library.
plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
}

android {
    namespace = "org.satchel.android"
    compileSdk = 35
    defaultConfig {
        applicationId = "org.satchel.android"
        // Android 8.0: the cheap phones outreach workers carry still run it (see docs/android.md).
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64") }
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    sourceSets["main"].apply {
        // The screens and state holders (tested on the JVM) and the generated bindings.
        kotlin.srcDirs("src/main/kotlin", "../ui/src/main/kotlin", "../../bindings/generated/kotlin")
        // libsatchel_ffi.so per ABI, from ./build-native.sh.
        jniLibs.srcDirs("build/jniLibs")
    }
    packaging { jniLibs { useLegacyPackaging = false } }
    // The Activity on Android's framework (Robolectric), as robolectric.sh runs it here: the
    // merged manifest and resources, the host library (bindings/generated) and a hub binary.
    sourceSets["test"].apply {
        kotlin.srcDirs("src/test/kotlin", "../ui/src/test/kotlin")
        kotlin.include("org/satchel/android/**", "org/satchel/app/Support.kt")
    }
    testOptions {
        unitTests.isIncludeAndroidResources = true
        unitTests.all {
            it.systemProperty("jna.library.path", file("../../bindings/generated").path)
            it.systemProperty("satchel.server.bin", file("../../target/debug/satchel-server").path)
        }
    }
}

kotlin { jvmToolchain(17) }

// The same libraries as closure.py resolves for the build here: every entry of libs.versions.toml.
dependencies {
    implementation(libs.kotlin.stdlib)
    implementation(libs.compose.ui)
    implementation(libs.compose.foundation)
    implementation(libs.compose.material3)
    implementation(libs.compose.ripple)
    implementation(libs.compose.icons.core)
    implementation(libs.activity.compose)
    implementation(libs.lifecycle.process)
    implementation(libs.work.runtime)
    implementation(libs.biometric)
    implementation(libs.coroutines.android)
    implementation("${libs.jna.get()}@aar")
    implementation(libs.zxing.core)
    implementation(libs.zxing.embedded)
    testImplementation(libs.test.junit)
    testImplementation(libs.test.robolectric)
    testImplementation(libs.test.androidx.core)
    // JNA with its desktop dispatcher, for the host library in the JVM tests.
    testImplementation(libs.jna)
}
