package org.satchel.app.features.today

import org.satchel.app.screens.MinTouch
import org.satchel.app.strings.Strings
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.style.TextDecoration
import androidx.compose.ui.unit.dp

/** Today: this shift's encounters, newest first, each with its sync state in words. */
@Composable
fun TodayScreen(model: TodayModel, strings: Strings) {
    val s by model.state.collectAsState()
    LazyColumn(
        contentPadding = PaddingValues(16.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
        modifier = Modifier.fillMaxSize(),
    ) {
        item {
            Text(strings.todayTitle, style = MaterialTheme.typography.titleLarge)
            val sum = s.summary
            if (sum == null || sum.encounters == 0u && s.rows.isEmpty()) {
                Text(strings.shiftEmpty, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(vertical = 8.dp))
            } else {
                Text(
                    strings.shiftHeadline(sum.encounters.toInt(), sum.waiting.toInt()),
                    style = MaterialTheme.typography.bodyLarge,
                    modifier = Modifier.padding(top = 4.dp).testTag("shift-headline"),
                )
                val extras = listOfNotNull(
                    sum.naloxoneDosesGiven.takeIf { it > 0u }?.let { strings.naloxoneDoses(it.toInt()) },
                    sum.syringesCollected.takeIf { it > 0u }?.let { strings.syringesBack(it.toInt()) },
                    sum.sharpsContainers.takeIf { it > 0u }?.let { strings.containersBack(it.toInt(), sum.syringesEstimated.toInt()) },
                )
                if (extras.isNotEmpty()) Text(extras.joinToString(" · "), style = MaterialTheme.typography.bodyMedium)
            }
        }
        items(s.rows, key = { it.encounterId }) { row ->
            Card(
                onClick = { model.tap(row.encounterId) },
                enabled = !row.voided,
                modifier = Modifier.fillMaxWidth().heightIn(min = 64.dp).testTag("today-${row.encounterId}"),
            ) {
                Column(Modifier.padding(12.dp)) {
                    // Time, place and state as whole pieces that wrap between them, never inside
                    // a word or a time, at any text size.
                    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.Center) {
                        val decoration = if (row.voided) TextDecoration.LineThrough else null
                        Text(row.time, style = MaterialTheme.typography.titleMedium, textDecoration = decoration, maxLines = 1, softWrap = false)
                        Text("${row.contactType} · ${row.zone}", style = MaterialTheme.typography.titleMedium, textDecoration = decoration)
                        Text(
                            row.status,
                            style = MaterialTheme.typography.labelLarge,
                            modifier = Modifier.align(Alignment.CenterVertically),
                        )
                    }
                    if (row.supplies.isNotEmpty()) Text(row.supplies, style = MaterialTheme.typography.bodyMedium)
                    if (!row.voided) {
                        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                            TextButton(onClick = { model.tap(row.encounterId) }, modifier = Modifier.sizeIn(minHeight = MinTouch)) {
                                Text(strings.correct)
                            }
                            TextButton(
                                onClick = { model.askVoid(row.encounterId) },
                                modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("void-${row.encounterId}"),
                            ) { Text(strings.void) }
                        }
                    }
                }
            }
        }
    }
    if (s.confirmVoid != null) {
        AlertDialog(
            onDismissRequest = model::cancelVoid,
            title = { Text(strings.voidConfirmTitle) },
            text = { Text(strings.voidConfirmText) },
            confirmButton = {
                TextButton(onClick = model::confirmVoid, modifier = Modifier.testTag("void-confirm")) { Text(strings.void) }
            },
            dismissButton = { TextButton(onClick = model::cancelVoid) { Text(strings.cancel) } },
        )
    }
}
