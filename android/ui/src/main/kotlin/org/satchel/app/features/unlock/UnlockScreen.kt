package org.satchel.app.features.unlock

import org.satchel.app.screens.MinTouch
import org.satchel.app.strings.Strings
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.Spacer
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.FilledTonalButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp

/** The lock screen: the app's own PIN pad (large keys, no system keyboard). */
@Composable
fun UnlockScreen(model: UnlockModel, strings: Strings) {
    val s by model.state.collectAsState()
    val waiting = s.waitSeconds > 0
    Column(
        horizontalAlignment = Alignment.CenterHorizontally,
        verticalArrangement = Arrangement.spacedBy(12.dp),
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(20.dp),
    ) {
        Text(strings.unlockTitle, style = MaterialTheme.typography.titleLarge)
        Text(
            if (s.entered == 0) strings.enterPin else "●".repeat(s.entered),
            style = MaterialTheme.typography.titleLarge,
            modifier = Modifier.testTag("pin-dots"),
        )
        when {
            waiting -> Text(
                strings.waitBeforeTry(s.waitSeconds),
                color = MaterialTheme.colorScheme.error,
                textAlign = TextAlign.Center,
                modifier = Modifier.testTag("pin-wait"),
            )
            s.error != null -> Text(s.error!!, color = MaterialTheme.colorScheme.error, textAlign = TextAlign.Center, modifier = Modifier.testTag("pin-error"))
        }
        s.wipeLimit?.let { limit ->
            Text(
                strings.wipeWarning(limit, s.triesLeft),
                style = MaterialTheme.typography.bodyLarge,
                textAlign = TextAlign.Center,
                modifier = Modifier.fillMaxWidth().testTag("pin-wipe-warning"),
            )
        }
        val rows = listOf(listOf(1, 2, 3), listOf(4, 5, 6), listOf(7, 8, 9))
        for (row in rows) {
            Row(horizontalArrangement = Arrangement.spacedBy(16.dp)) {
                for (d in row) DigitKey(d, strings, !waiting && !s.busy) { model.digit(d) }
            }
        }
        Row(horizontalArrangement = Arrangement.spacedBy(16.dp), verticalAlignment = Alignment.CenterVertically) {
            OutlinedButton(
                onClick = model::backspace,
                // No padding: the key's symbol is centred and whole at any text size.
                contentPadding = PaddingValues(0.dp),
                modifier = Modifier.size(72.dp).semantics { contentDescription = strings.deleteDigit },
            ) { Text("⌫", style = MaterialTheme.typography.titleLarge, maxLines = 1, softWrap = false) }
            DigitKey(0, strings, !waiting && !s.busy) { model.digit(0) }
            Button(
                onClick = model::submit,
                enabled = !waiting && !s.busy && s.entered > 0,
                // No padding: "OK" fits the round key on one line at any text size.
                contentPadding = PaddingValues(0.dp),
                modifier = Modifier.size(72.dp).semantics { contentDescription = strings.unlock }.testTag("pin-ok"),
            ) { Text("OK", maxLines = 1, softWrap = false) }
        }
        if (s.fingerprint) {
            Spacer(Modifier.size(8.dp))
            OutlinedButton(
                onClick = model::useFingerprint,
                enabled = !s.busy,
                modifier = Modifier.fillMaxWidth().sizeIn(minHeight = MinTouch).testTag("use-fingerprint"),
            ) {
                Text(strings.unlockWithFingerprint)
            }
        }
    }
}

@Composable
private fun DigitKey(d: Int, strings: Strings, enabled: Boolean, onClick: () -> Unit) {
    FilledTonalButton(
        onClick = onClick,
        enabled = enabled,
        contentPadding = PaddingValues(0.dp),
        modifier = Modifier.size(72.dp).semantics { contentDescription = strings.digit(d) }.testTag("digit-$d"),
    ) { Text(d.toString(), style = MaterialTheme.typography.titleLarge, maxLines = 1, softWrap = false) }
}
