package org.satchel.app.features.log

import org.satchel.app.strings.Strings
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.grid.GridCells
import androidx.compose.foundation.lazy.grid.GridItemSpan
import androidx.compose.foundation.lazy.grid.LazyVerticalGrid
import androidx.compose.foundation.lazy.grid.items
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp

/** Home: the program's kits as large tiles. One tap opens the review sheet; Save is the second. */
@Composable
fun LogScreen(model: LogModel, strings: Strings) {
    val s by model.state.collectAsState()
    // Tiles widen with the text size, so a kit's name never breaks inside a word: two columns
    // at 100%, one at 200%.
    val fontScale = LocalDensity.current.fontScale
    LazyVerticalGrid(
        columns = GridCells.Adaptive(minSize = 150.dp * fontScale.coerceIn(1f, 2f)),
        contentPadding = PaddingValues(16.dp),
        horizontalArrangement = Arrangement.spacedBy(12.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
        modifier = Modifier.fillMaxSize(),
    ) {
        item(span = { GridItemSpan(maxLineSpan) }) {
            Column {
                // Where the shift stands, and offline when it is, without leaving Log.
                Text(
                    strings.logStatus(s.shiftContacts, s.waiting, s.online),
                    style = MaterialTheme.typography.bodyLarge,
                    color = if (s.online) MaterialTheme.colorScheme.onSurfaceVariant else MaterialTheme.colorScheme.error,
                    modifier = Modifier.testTag("log-status"),
                )
                Text(strings.chooseKit, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 8.dp))
            }
        }
        if (s.kits.isEmpty()) {
            item(span = { GridItemSpan(maxLineSpan) }) { Text(strings.noKits) }
        }
        items(s.kits, key = { it.id }) { kit ->
            val label = strings.kitTile(kit.name, kit.itemCount)
            Card(
                onClick = { model.tapKit(kit.id) },
                colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.primaryContainer),
                modifier = Modifier.fillMaxWidth().heightIn(min = 112.dp).testTag("kit-${kit.id}").semantics { contentDescription = label },
            ) {
                Column(Modifier.padding(16.dp)) {
                    Text(kit.name, style = MaterialTheme.typography.titleMedium, color = MaterialTheme.colorScheme.onPrimaryContainer)
                    Text(kit.contents, style = MaterialTheme.typography.bodyMedium, color = MaterialTheme.colorScheme.onPrimaryContainer)
                }
            }
        }
        item(span = { GridItemSpan(maxLineSpan) }) {
            OutlinedCard(
                onClick = model::tapOther,
                modifier = Modifier.fillMaxWidth().heightIn(min = 64.dp).testTag("kit-other").semantics { contentDescription = strings.otherSupplies },
            ) {
                Text(strings.otherSupplies, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(16.dp))
            }
        }
    }
}
