package org.satchel.app.features.sync

import org.satchel.app.strings.Strings
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp

/** Sync in words, and "Sync now" (disabled offline, with the reason beside it). */
@Composable
fun SyncScreen(model: SyncModel, strings: Strings) {
    val s by model.state.collectAsState()
    Column(
        verticalArrangement = Arrangement.spacedBy(8.dp),
        modifier = Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp),
    ) {
        Text(strings.syncTitle, style = MaterialTheme.typography.titleLarge)
        for ((i, line) in s.lines.withIndex()) {
            Text(line, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("sync-line-$i"))
        }
        for (w in s.warnings) {
            Text(w, color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyLarge)
        }
        Button(
            onClick = model::syncNow,
            enabled = s.online && !s.busy,
            modifier = Modifier.fillMaxWidth().sizeIn(minHeight = 56.dp).padding(top = 8.dp).testTag("sync-now"),
        ) { Text(if (s.busy) strings.syncing else strings.syncNow) }
        model.disabledReason()?.let {
            Text(it, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.testTag("sync-offline"))
        }
    }
}
