package org.satchel.app.features.join

import org.satchel.app.screens.MinTouch
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

/** Joining the program: the code (scanned or pasted), a PIN twice, optional fingerprint. */
@Composable
fun JoinScreen(model: JoinModel, strings: Strings, onScan: (() -> Unit)?) {
    val s by model.state.collectAsState()
    Column(
        verticalArrangement = Arrangement.spacedBy(12.dp),
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(20.dp),
    ) {
        Text(strings.joinTitle, style = MaterialTheme.typography.titleLarge)
        s.info?.let {
            Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("join-info"))
        }
        Text(if (s.codeOnly) strings.joinCodeOnly else strings.joinExplain, style = MaterialTheme.typography.bodyLarge)
        OutlinedTextField(
            value = s.code,
            onValueChange = model::setCode,
            label = { Text(strings.enrollmentCode) },
            singleLine = true,
            visualTransformation = PasswordVisualTransformation(),
            // A secret until used: no suggestions, nothing learnt by the keyboard.
            keyboardOptions = KeyboardOptions(autoCorrectEnabled = false, keyboardType = KeyboardType.Password),
            modifier = Modifier.fillMaxWidth().testTag("join-code"),
        )
        if (onScan != null) {
            OutlinedButton(onClick = onScan, modifier = Modifier.fillMaxWidth().sizeIn(minHeight = MinTouch)) {
                Text(strings.scanCode)
            }
        }
        if (!s.codeOnly) {
            OutlinedTextField(
                value = s.pin,
                onValueChange = model::setPin,
                label = { Text(strings.choosePin) },
                singleLine = true,
                visualTransformation = PasswordVisualTransformation(),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                modifier = Modifier.fillMaxWidth().testTag("join-pin"),
            )
            OutlinedTextField(
                value = s.pinAgain,
                onValueChange = model::setPinAgain,
                label = { Text(strings.confirmPin) },
                singleLine = true,
                visualTransformation = PasswordVisualTransformation(),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                modifier = Modifier.fillMaxWidth().testTag("join-pin-again"),
            )
            if (s.fingerprintAvailable) {
                Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.fillMaxWidth()) {
                    Text(strings.useFingerprint, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
                    Switch(
                        checked = s.fingerprint,
                        onCheckedChange = model::setFingerprint,
                        modifier = Modifier.semantics { contentDescription = strings.useFingerprint },
                    )
                }
            }
        }
        s.error?.let { Text(it, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyLarge) }
        Button(
            onClick = model::join,
            enabled = !s.busy,
            modifier = Modifier.fillMaxWidth().sizeIn(minHeight = 56.dp).testTag("join"),
        ) {
            Text(if (s.busy) strings.joining else strings.join)
        }
    }
}
