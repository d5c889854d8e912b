package org.satchel.app.screens

import org.satchel.app.features.join.JoinScreen
import org.satchel.app.features.log.LogScreen
import org.satchel.app.features.review.ReviewSaveBar
import org.satchel.app.features.review.ReviewSheet
import org.satchel.app.features.settings.SettingsScreen
import org.satchel.app.features.stock.StockScreen
import org.satchel.app.features.sync.SyncScreen
import org.satchel.app.features.today.TodayScreen
import org.satchel.app.features.unlock.UnlockScreen
import org.satchel.app.model.AppModel
import org.satchel.app.model.Language
import org.satchel.app.model.Route
import org.satchel.app.model.Tab
import org.satchel.app.strings.English
import org.satchel.app.strings.Spanish
import org.satchel.app.theme.SatchelTheme
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.automirrored.filled.List
import androidx.compose.material.icons.filled.Home
import androidx.compose.material.icons.filled.Lock
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material.icons.filled.Settings
import androidx.compose.material.icons.filled.ShoppingCart
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.SnackbarDuration
import androidx.compose.material3.SnackbarHost
import androidx.compose.material3.SnackbarHostState
import androidx.compose.material3.SnackbarResult
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.vector.ImageVector
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.Density

/**
 * The whole app: join, unlock, or the five tabs, with the review sheet over them and the
 * "Saved · Undo" message at the bottom. [onScan] opens the camera's QR scanner where there is
 * one (`null` on the desktop preview).
 */
@Composable
fun SatchelApp(model: AppModel, onScan: (() -> Unit)? = null, onLeave: (() -> Unit)? = null) {
    val app by model.state.collectAsState()
    val strings = app.strings
    val snackbar = remember { SnackbarHostState() }
    LaunchedEffect(app.leave) {
        if (app.leave) {
            onLeave?.invoke()
            model.left()
        }
    }
    LaunchedEffect(app.notice?.id) {
        val notice = app.notice ?: return@LaunchedEffect
        val result = snackbar.showSnackbar(
            message = notice.text,
            actionLabel = notice.action,
            duration = if (notice.action != null) SnackbarDuration.Long else SnackbarDuration.Short,
        )
        if (result == SnackbarResult.ActionPerformed) notice.onAction?.invoke()
        model.dismissNotice(notice.id)
    }
    SatchelTheme(dark = app.dark) {
        // The screen went off within the lock grace (D94): nothing of the shift is drawn, or in
        // the tree, until it is back.
        if (app.covered) {
            Surface(Modifier.fillMaxSize().testTag("cover")) {}
            return@SatchelTheme
        }
        Surface(Modifier.fillMaxSize()) {
            Scaffold(
                snackbarHost = { SnackbarHost(snackbar, Modifier.testTag("notice")) },
                topBar = {
                    // Leave now or delete everything: one tap from any screen, the sheet included.
                    if (app.route == Route.MAIN && !app.safetyOpen) {
                        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.End) {
                            IconButton(
                                onClick = model::openSafety,
                                modifier = Modifier.sizeIn(minWidth = MinTouch, minHeight = MinTouch).testTag("safety-open"),
                            ) { Icon(Icons.Filled.Lock, contentDescription = strings.safetyOpen) }
                        }
                    } else if (app.route != Route.MAIN) {
                        // Joining or at the PIN: the other language, one tap away, before any
                        // store is open (a phone handed over from a colleague who reads English).
                        val other = if (app.preferences.language == Language.ENGLISH) Language.SPANISH else Language.ENGLISH
                        Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.End) {
                            TextButton(
                                onClick = { model.updatePreferences { it.copy(language = other) } },
                                modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("language-switch"),
                            ) { Text(if (other == Language.SPANISH) Spanish.languageName else English.languageName) }
                        }
                    }
                },
                bottomBar = {
                    if (app.route == Route.MAIN && app.safetyOpen) {
                        // Nothing under the panel's buttons.
                    } else if (app.route == Route.MAIN && app.sheetOpen) {
                        ReviewSaveBar(model.review, strings)
                    } else if (app.route == Route.MAIN) {
                        NavigationBar {
                            for ((tab, label, icon) in listOf(
                                Triple(Tab.LOG, strings.tabLog, Icons.Filled.Home),
                                Triple(Tab.TODAY, strings.tabToday, Icons.AutoMirrored.Filled.List),
                                Triple(Tab.STOCK, strings.tabStock, Icons.Filled.ShoppingCart),
                                Triple(Tab.SYNC, strings.tabSync, Icons.Filled.Refresh),
                                Triple(Tab.SETTINGS, strings.tabSettings, Icons.Filled.Settings),
                            )) {
                                TabItem(tab == app.tab, label, icon, "tab-${tab.name.lowercase()}") { model.selectTab(tab) }
                            }
                        }
                    }
                },
            ) { padding ->
                Box(Modifier.padding(padding).fillMaxSize()) {
                    when (app.route) {
                        Route.JOIN -> JoinScreen(model.join, strings, onScan)
                        Route.UNLOCK -> UnlockScreen(model.unlock, strings)
                        Route.MAIN -> if (app.safetyOpen) {
                            SafetyPanel(model, strings)
                        } else if (app.sheetOpen) {
                            ReviewSheet(model.review, strings)
                        } else {
                            when (app.tab) {
                                Tab.LOG -> LogScreen(model.log, strings)
                                Tab.TODAY -> TodayScreen(model.today, strings)
                                Tab.STOCK -> StockScreen(model.stock, strings)
                                Tab.SYNC -> SyncScreen(model.sync, strings)
                                Tab.SETTINGS -> SettingsScreen(model.settings, app.preferences, strings)
                            }
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun androidx.compose.foundation.layout.RowScope.TabItem(
    selected: Boolean,
    label: String,
    icon: ImageVector,
    tag: String,
    onClick: () -> Unit,
) {
    NavigationBarItem(
        selected = selected,
        onClick = onClick,
        icon = { Icon(icon, contentDescription = null) },
        // The tabs' labels grow with the text size up to 115%: beyond that five labels no
        // longer fit one line, and each tab's icon and place stay the same.
        label = {
            val d = LocalDensity.current
            CompositionLocalProvider(LocalDensity provides Density(d.density, fontScale = minOf(d.fontScale, 1.15f))) {
                Text(label, maxLines = 1, softWrap = false)
            }
        },
        modifier = Modifier.testTag(tag),
    )
}
