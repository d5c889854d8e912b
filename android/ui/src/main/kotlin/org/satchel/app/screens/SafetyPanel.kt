package org.satchel.app.screens

import org.satchel.app.features.settings.QuickDelete
import org.satchel.app.model.AppModel
import org.satchel.app.strings.Strings
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp

/**
 * Leave now, or delete everything: one tap on the lock at the top of any screen opens this, and
 * a second locks Satchel and leaves for the home screen (nothing is lost). Quick delete keeps
 * its slide and countdown here too, since what was not sent is lost with it.
 */
@Composable
fun SafetyPanel(model: AppModel, strings: Strings) {
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp).testTag("safety")) {
        Text(strings.safetyTitle, style = MaterialTheme.typography.headlineSmall)
        Text(strings.quickExitExplain, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.padding(vertical = 8.dp))
        Button(
            onClick = model::quickExit,
            modifier = Modifier.fillMaxWidth().sizeIn(minHeight = 64.dp).testTag("quick-exit"),
        ) { Text(strings.quickExit, style = MaterialTheme.typography.titleMedium) }
        HorizontalDivider(Modifier.padding(vertical = 16.dp))
        QuickDelete(model.settings, strings)
        OutlinedButton(
            onClick = model::closeSafety,
            modifier = Modifier.fillMaxWidth().padding(top = 16.dp).sizeIn(minHeight = MinTouch).testTag("safety-close"),
        ) { Text(strings.cancel) }
    }
}
