package org.satchel.app.features.settings

import org.satchel.app.model.Language
import org.satchel.app.model.Preferences
import org.satchel.app.model.ThemeChoice
import org.satchel.app.screens.ChoiceChips
import org.satchel.app.screens.MinTouch
import org.satchel.app.screens.SectionTitle
import org.satchel.app.screens.SlideToConfirm
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.app.strings.Strings
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp

/** Settings: language, theme, auto-lock, fingerprint unlock and background sync, change PIN,
 *  quick delete. */
@Composable
fun SettingsScreen(model: SettingsModel, preferences: Preferences, strings: Strings) {
    val s by model.state.collectAsState()
    Column(
        verticalArrangement = Arrangement.spacedBy(4.dp),
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
    ) {
        Text(strings.settingsTitle, style = MaterialTheme.typography.titleLarge)
        SectionTitle(strings.language)
        ChoiceChips(listOf(Language.ENGLISH to English.languageName, Language.SPANISH to Spanish.languageName), preferences.language, model::setLanguage)
        SectionTitle(strings.theme)
        ChoiceChips(
            listOf(
                ThemeChoice.DARK_AT_NIGHT to strings.themeNight,
                ThemeChoice.SYSTEM to strings.themeSystem,
                ThemeChoice.DARK to strings.themeDark,
                ThemeChoice.LIGHT to strings.themeLight,
            ),
            preferences.theme,
            model::setTheme,
        )
        SectionTitle(strings.autoLock)
        ChoiceChips(Preferences.AUTO_LOCK_CHOICES.map { it to strings.minutes(it) }, preferences.autoLockMinutes, model::setAutoLock)

        SectionTitle(strings.unlockAndSync)
        if (s.fingerprintAvailable || s.fingerprint) {
            SwitchRow(strings.fingerprintSetting, s.fingerprint, !s.switching, "setting-fingerprint", model::setFingerprint)
        }
        SwitchRow(strings.backgroundSync, s.backgroundSync, !s.switching, "setting-background-sync", model::setBackgroundSync)
        Text(strings.backgroundSyncExplain, style = MaterialTheme.typography.bodyMedium)

        SectionTitle(strings.changePin)
        if (!s.changingPin) {
            OutlinedButton(onClick = model::startChangePin, modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("change-pin")) {
                Text(strings.changePin)
            }
        } else {
            for ((label, value, set, tag) in listOf(
                Quad(strings.currentPin, s.currentPin, model::setCurrentPin, "pin-current"),
                Quad(strings.newPin, s.newPin, model::setNewPin, "pin-new"),
                Quad(strings.confirmPin, s.newPinAgain, model::setNewPinAgain, "pin-new-again"),
            )) {
                OutlinedTextField(
                    value = value,
                    onValueChange = set,
                    label = { Text(label) },
                    singleLine = true,
                    visualTransformation = PasswordVisualTransformation(),
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                    modifier = Modifier.fillMaxWidth().testTag(tag),
                )
            }
            s.pinError?.let { Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.testTag("pin-change-error")) }
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                OutlinedButton(onClick = model::cancelChangePin, modifier = Modifier.sizeIn(minHeight = MinTouch)) { Text(strings.cancel) }
                Button(onClick = model::changePin, modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("pin-change-save")) {
                    Text(strings.save)
                }
            }
        }

        HorizontalDivider(Modifier.padding(vertical = 16.dp))
        QuickDelete(model, strings)
    }
}

/** Quick delete: a slide, then a 5-second countdown the worker can still cancel. Shown in
 *  Settings and in the safety panel every screen reaches in one tap. */
@Composable
fun QuickDelete(model: SettingsModel, strings: Strings) {
    val s by model.state.collectAsState()
    SectionTitle(strings.quickDelete)
    Text(strings.quickDeleteExplain, style = MaterialTheme.typography.bodyLarge)
    val countdown = s.deleteCountdown
    if (countdown == null) {
        SlideToConfirm(strings.slideToDelete, model::startQuickDelete, Modifier.padding(vertical = 12.dp).testTag("quick-delete"))
    } else {
        Text(
            strings.deletingIn(countdown),
            color = MaterialTheme.colorScheme.error,
            style = MaterialTheme.typography.titleLarge,
            modifier = Modifier.testTag("delete-countdown"),
        )
        Button(
            onClick = model::cancelQuickDelete,
            modifier = Modifier.fillMaxWidth().sizeIn(minHeight = 56.dp).testTag("delete-cancel"),
        ) { Text(strings.cancel) }
    }
}

/** A setting that is on or off: its label, then the switch (labelled the same for TalkBack). */
@Composable
private fun SwitchRow(label: String, checked: Boolean, enabled: Boolean, tag: String, onChange: (Boolean) -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.fillMaxWidth()) {
        Text(label, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
        Switch(
            checked = checked,
            onCheckedChange = onChange,
            enabled = enabled,
            modifier = Modifier.semantics { contentDescription = label }.testTag(tag),
        )
    }
}

private data class Quad(val label: String, val value: String, val set: (String) -> Unit, val tag: String)
