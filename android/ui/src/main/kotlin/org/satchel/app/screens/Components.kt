package org.satchel.app.screens

import androidx.compose.foundation.ExperimentalFoundationApi
import androidx.compose.foundation.background
import androidx.compose.foundation.combinedClickable
import androidx.compose.foundation.gestures.detectHorizontalDragGestures
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.BoxWithConstraints
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.offset
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.shape.CircleShape
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.Check
import androidx.compose.material.icons.filled.Delete
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableFloatStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.draw.clip
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.onClick
import androidx.compose.ui.semantics.role
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.IntOffset
import androidx.compose.ui.unit.dp
import kotlin.math.roundToInt

/** The smallest touch target anywhere in the app (Android's accessibility guideline). */
val MinTouch = 48.dp

@Composable
fun SectionTitle(text: String, modifier: Modifier = Modifier) {
    Text(text, style = MaterialTheme.typography.titleMedium, modifier = modifier.padding(top = 16.dp, bottom = 8.dp))
}

/**
 * A round stepper button: tap for one, long-press for ten. Never a keypad, so Save stays in
 * sight. [description] is what TalkBack reads.
 */
@OptIn(ExperimentalFoundationApi::class)
@Composable
fun StepButton(symbol: String, description: String, onStep: (Int) -> Unit, sign: Int) {
    Box(
        contentAlignment = Alignment.Center,
        modifier = Modifier
            .size(MinTouch + 8.dp)
            .clip(CircleShape)
            .background(MaterialTheme.colorScheme.primaryContainer)
            .combinedClickable(
                onClickLabel = description,
                role = Role.Button,
                onLongClick = { onStep(10 * sign) },
                onClick = { onStep(sign) },
            )
            .semantics { contentDescription = description },
    ) {
        Text(symbol, style = MaterialTheme.typography.titleLarge, color = MaterialTheme.colorScheme.onPrimaryContainer)
    }
}

/**
 * A labelled count with − and + beside it. At large text sizes the label takes its own line
 * above the controls, so that neither is squeezed into breaking words.
 */
@Composable
fun Stepper(label: String, value: Int, addDescription: String, removeDescription: String, onStep: (Int) -> Unit) {
    val controls = @Composable {
        Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.spacedBy(12.dp)) {
            StepButton("−", removeDescription, onStep, -1)
            Text(
                value.toString(),
                style = MaterialTheme.typography.titleLarge,
                textAlign = TextAlign.Center,
                modifier = Modifier.widthIn(min = 48.dp),
            )
            StepButton("+", addDescription, onStep, 1)
        }
    }
    if (LocalDensity.current.fontScale > 1.3f) {
        Column(horizontalAlignment = Alignment.End, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
            Text(label, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.fillMaxWidth())
            controls()
        }
    } else {
        Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
            Text(label, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f).padding(end = 12.dp))
            controls()
        }
    }
}

/** One choice out of several, as chips (the selected one is marked, not only coloured). */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun <T> ChoiceChips(options: List<Pair<T, String>>, selected: T?, onSelect: (T) -> Unit) {
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        for ((value, label) in options) {
            FilterChip(
                selected = value == selected,
                onClick = { onSelect(value) },
                label = { Text(label) },
                leadingIcon = if (value == selected) ({ Icon(Icons.Filled.Check, contentDescription = null) }) else null,
                modifier = Modifier.sizeIn(minHeight = MinTouch),
            )
        }
    }
}

/** Several choices at once, as chips. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ToggleChips(options: List<Pair<String, String>>, selected: Set<String>, onToggle: (String) -> Unit) {
    FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
        for ((id, label) in options) {
            FilterChip(
                selected = id in selected,
                onClick = { onToggle(id) },
                label = { Text(label) },
                leadingIcon = if (id in selected) ({ Icon(Icons.Filled.Check, contentDescription = null) }) else null,
                modifier = Modifier.sizeIn(minHeight = MinTouch),
            )
        }
    }
}

/**
 * Slide to confirm: the thumb must be dragged to the end, so a pocket or a stray tap cannot
 * set it off. TalkBack users get the same action by a double tap (the countdown that follows
 * can still be cancelled).
 */
@Composable
fun SlideToConfirm(label: String, onConfirmed: () -> Unit, modifier: Modifier = Modifier) {
    BoxWithConstraints(
        modifier = modifier
            .fillMaxWidth()
            .height(64.dp)
            .clip(RoundedCornerShape(32.dp))
            .background(MaterialTheme.colorScheme.errorContainer)
            .semantics(mergeDescendants = true) {
                contentDescription = label
                role = Role.Button
                onClick(label) { onConfirmed(); true }
            },
    ) {
        val thumb = 64.dp
        val max = with(LocalDensity.current) { (maxWidth - thumb).toPx() }
        var offset by remember { mutableFloatStateOf(0f) }
        Text(
            label,
            color = MaterialTheme.colorScheme.onErrorContainer,
            style = MaterialTheme.typography.labelLarge,
            textAlign = TextAlign.Center,
            modifier = Modifier.align(Alignment.Center).padding(start = thumb, end = 12.dp),
        )
        Box(
            contentAlignment = Alignment.Center,
            modifier = Modifier
                .offset { IntOffset(offset.roundToInt(), 0) }
                .size(thumb)
                .clip(CircleShape)
                .background(MaterialTheme.colorScheme.error)
                .pointerInput(max) {
                    detectHorizontalDragGestures(
                        onDragEnd = {
                            if (offset >= max * 0.9f) onConfirmed()
                            offset = 0f
                        },
                        onDragCancel = { offset = 0f },
                    ) { change, dx ->
                        change.consume()
                        offset = (offset + dx).coerceIn(0f, max)
                    }
                },
        ) {
            Icon(Icons.Filled.Delete, contentDescription = null, tint = MaterialTheme.colorScheme.onError)
        }
    }
}

/** The plus icon, for "add" buttons. */
val AddIcon = Icons.Filled.Add
