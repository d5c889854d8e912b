package org.satchel.app.features.review

import org.satchel.app.screens.ChoiceChips
import org.satchel.app.screens.MinTouch
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.app.strings.Strings
import org.satchel.ffi.CardLanguage
import org.satchel.ffi.HandoverCard
import org.satchel.ffi.ServiceMatch
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Check
import androidx.compose.material3.FilterChip
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedCard
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import com.google.zxing.BarcodeFormat
import com.google.zxing.EncodeHintType
import com.google.zxing.qrcode.QRCodeWriter

/** A service under the referral chips: its name, whether it is open now, what the door asks. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ServiceRow(match: ServiceMatch, suggested: Boolean, strings: Strings, onSuggested: () -> Unit, onHandOver: () -> Unit) {
    OutlinedCard(Modifier.fillMaxWidth().padding(vertical = 4.dp).testTag("service-${match.service.id}")) {
        Column(Modifier.padding(12.dp)) {
            Text(strings.serviceName(match.service), style = MaterialTheme.typography.titleMedium)
            Text(strings.openStatus(match.status), style = MaterialTheme.typography.bodyMedium)
            Text(strings.doorSummary(match.service), style = MaterialTheme.typography.bodyMedium)
            // A flow, so that at large text sizes the chip goes under the button, whole.
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.Center) {
                OutlinedButton(onClick = onHandOver, modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("handover-${match.service.id}")) {
                    Text(strings.handOver, maxLines = 1)
                }
                FilterChip(
                    selected = suggested,
                    onClick = onSuggested,
                    label = { Text(strings.suggested, maxLines = 1, softWrap = false) },
                    leadingIcon = if (suggested) ({ Icon(Icons.Filled.Check, contentDescription = null) }) else null,
                    modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("suggested-${match.service.id}"),
                )
            }
        }
    }
}

/**
 * The hand-over card: the service in large text, in the participant's language (chosen here,
 * apart from the app's), and a QR code of the same details the participant can scan into their
 * own phone. The core writes the card; nothing about the participant is on it.
 */
@Composable
fun HandoverScreen(card: HandoverCard, language: CardLanguage?, strings: Strings, onLanguage: (CardLanguage) -> Unit, onBack: () -> Unit) {
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp).testTag("handover")) {
        TextButton(onClick = onBack, modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("card-back")) { Text(strings.back) }
        Text(strings.cardLanguage, style = MaterialTheme.typography.labelLarge)
        ChoiceChips(listOf(CardLanguage.ENGLISH to English.languageName, CardLanguage.SPANISH to Spanish.languageName), language, onLanguage)
        Text(card.title, style = MaterialTheme.typography.headlineMedium, modifier = Modifier.padding(top = 12.dp).testTag("card-title"))
        for (line in card.lines) {
            Text(line, style = MaterialTheme.typography.titleLarge, modifier = Modifier.padding(vertical = 4.dp))
        }
        QrCode(card.payload, strings.qrNote, Modifier.padding(top = 16.dp).size(280.dp).testTag("card-qr"))
        Text(strings.qrNote, style = MaterialTheme.typography.bodyMedium, modifier = Modifier.padding(top = 8.dp))
    }
}

/** A QR code (ZXing), black on white in either theme so that any phone's camera reads it. */
@Composable
fun QrCode(payload: String, description: String, modifier: Modifier) {
    val matrix = remember(payload) {
        QRCodeWriter().encode(payload, BarcodeFormat.QR_CODE, 0, 0, mapOf(EncodeHintType.CHARACTER_SET to "UTF-8", EncodeHintType.MARGIN to 4))
    }
    Canvas(modifier.background(Color.White).semantics { contentDescription = description }) {
        val cell = size.minDimension / matrix.width
        for (y in 0 until matrix.height) {
            for (x in 0 until matrix.width) {
                if (matrix.get(x, y)) drawRect(Color.Black, topLeft = Offset(x * cell, y * cell), size = Size(cell, cell))
            }
        }
    }
}
