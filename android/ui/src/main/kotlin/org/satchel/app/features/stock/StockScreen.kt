package org.satchel.app.features.stock

import org.satchel.app.screens.ChoiceChips
import org.satchel.app.screens.MinTouch
import org.satchel.app.screens.Stepper
import org.satchel.app.strings.Strings
import org.satchel.ffi.AdjustReason
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Card
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp

/** Stock at the phone's location. A low item says "Low" in words and in colour. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun StockScreen(model: StockModel, strings: Strings) {
    val s by model.state.collectAsState()
    LazyColumn(
        contentPadding = PaddingValues(16.dp),
        verticalArrangement = Arrangement.spacedBy(8.dp),
        modifier = Modifier.fillMaxSize(),
    ) {
        item {
            Text(s.locationName ?: strings.stockTitle, style = MaterialTheme.typography.titleLarge)
            if (s.locationId == null) {
                Text(strings.chooseLocation, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(vertical = 8.dp))
                ChoiceChips(s.locations.map { it.id to it.name }, null, model::chooseLocation)
            }
        }
        items(s.rows, key = { it.itemId }) { row ->
            Card(modifier = Modifier.fillMaxWidth().testTag("stock-${row.itemId}")) {
                Column(Modifier.padding(12.dp)) {
                    Row(verticalAlignment = Alignment.CenterVertically) {
                        Text(row.name, style = MaterialTheme.typography.titleMedium, modifier = Modifier.weight(1f))
                        if (row.low) {
                            Icon(Icons.Filled.Warning, contentDescription = null, tint = MaterialTheme.colorScheme.error)
                        }
                    }
                    if (row.low) {
                        Text(
                            if (row.out) strings.outOfStockText(row.threshold.toInt()) else strings.lowStockText(row.level, row.threshold.toInt()),
                            color = MaterialTheme.colorScheme.error,
                            style = MaterialTheme.typography.bodyLarge,
                            modifier = Modifier.testTag("low-${row.itemId}"),
                        )
                    } else {
                        Text(strings.level(row.level), style = MaterialTheme.typography.bodyLarge)
                    }
                    FlowRow(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                        for ((action, label) in listOf(
                            StockAction.RECEIVE to strings.receive,
                            StockAction.COUNT to strings.count,
                            StockAction.ADJUST to strings.adjust,
                        )) {
                            TextButton(
                                onClick = { model.begin(action, row.itemId) },
                                modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("${action.name.lowercase()}-${row.itemId}"),
                            ) { Text(label) }
                        }
                        if (s.locations.size > 1) {
                            TextButton(
                                onClick = { model.begin(StockAction.TRANSFER, row.itemId) },
                                modifier = Modifier.sizeIn(minHeight = MinTouch),
                            ) { Text(strings.transfer) }
                        }
                    }
                }
            }
        }
    }
    val e = s.entry ?: return
    AlertDialog(
        onDismissRequest = model::cancel,
        title = {
            Text(
                when (e.action) {
                    StockAction.RECEIVE -> strings.receive
                    StockAction.COUNT -> strings.count
                    StockAction.ADJUST -> strings.adjust
                    StockAction.TRANSFER -> strings.transfer
                } + " · " + e.itemName,
            )
        },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Stepper(strings.quantity, e.quantity, strings.addOne(e.itemName), strings.removeOne(e.itemName), model::step)
                OutlinedTextField(
                    value = e.quantity.toString(),
                    onValueChange = model::typeQuantity,
                    label = { Text(strings.typeQuantity) },
                    singleLine = true,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                    modifier = Modifier.fillMaxWidth().testTag("stock-quantity"),
                )
                if (e.action == StockAction.ADJUST) {
                    Text(strings.reason, style = MaterialTheme.typography.titleMedium)
                    ChoiceChips(AdjustReason.entries.map { it to strings.reasonName(it.name) }, e.reason, model::setReason)
                }
                if (e.action == StockAction.TRANSFER) {
                    Text(strings.toLocation, style = MaterialTheme.typography.titleMedium)
                    ChoiceChips(s.locations.filter { it.id != s.locationId }.map { it.id to it.name }, e.toLocationId, model::setTarget)
                }
                s.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            }
        },
        confirmButton = {
            TextButton(onClick = model::confirm, modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("stock-confirm")) {
                Text(strings.confirm)
            }
        },
        dismissButton = {
            OutlinedButton(onClick = model::cancel, modifier = Modifier.sizeIn(minHeight = MinTouch)) { Text(strings.cancel) }
        },
    )
}
