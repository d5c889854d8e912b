package org.satchel.app.theme

import androidx.compose.material3.ColorScheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.sp

/** Warning colours for low stock; always shown with a word beside them, never alone. */
object StockColors {
    val lowLight = Color(0xFFB3261E)
    val lowDark = Color(0xFFFFB4AB)
}

private val Light: ColorScheme = lightColorScheme(
    primary = Color(0xFF1F5F5B),
    onPrimary = Color.White,
    primaryContainer = Color(0xFFA7F0E8),
    onPrimaryContainer = Color(0xFF00201E),
    secondary = Color(0xFF4A635F),
    background = Color(0xFFFAFDFB),
    surface = Color(0xFFFAFDFB),
    error = StockColors.lowLight,
)

private val Dark: ColorScheme = darkColorScheme(
    primary = Color(0xFF8BD4CC),
    onPrimary = Color(0xFF003734),
    primaryContainer = Color(0xFF00504B),
    onPrimaryContainer = Color(0xFFA7F0E8),
    secondary = Color(0xFFB1CCC7),
    background = Color(0xFF101413),
    surface = Color(0xFF101413),
    error = StockColors.lowDark,
)

/** Larger than Material's defaults: read at arm's length, at night, one-handed. */
private val Type = Typography(
    bodyLarge = TextStyle(fontSize = 18.sp, lineHeight = 24.sp),
    bodyMedium = TextStyle(fontSize = 16.sp, lineHeight = 22.sp),
    titleLarge = TextStyle(fontSize = 24.sp, lineHeight = 30.sp, fontWeight = FontWeight.SemiBold),
    titleMedium = TextStyle(fontSize = 20.sp, lineHeight = 26.sp, fontWeight = FontWeight.SemiBold),
    labelLarge = TextStyle(fontSize = 18.sp, lineHeight = 22.sp, fontWeight = FontWeight.Medium),
)

@Composable
fun SatchelTheme(dark: Boolean, content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = if (dark) Dark else Light, typography = Type, content = content)
}
