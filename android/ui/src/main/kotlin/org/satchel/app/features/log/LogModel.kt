package org.satchel.app.features.log

import org.satchel.app.model.Session
import org.satchel.ffi.ProgramSettings
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update

/** A kit as a tile on the home screen. */
data class KitTile(val id: String, val name: String, val itemCount: Int, val contents: String)

/**
 * The home screen's state: the kits, and the status line ("12 contacts this shift · 3 waiting ·
 * offline") with the core's counts (the same waiting count as Today and Sync).
 */
data class LogState(
    val programName: String = "",
    val kits: List<KitTile> = emptyList(),
    val shiftContacts: Int = 0,
    val waiting: Long = 0,
    val online: Boolean = true,
)

/** The home screen: the program's kits as large tiles; one tap opens the review sheet. */
class LogModel(private val app: Session) {
    private val _state = MutableStateFlow(LogState())
    val state: StateFlow<LogState> = _state

    /** The program's settings as last read (the review sheet and stock use them too). */
    @Volatile
    var settings: ProgramSettings? = null
        private set

    fun refresh() {
        if (!app.hasStore()) return
        app.launch {
            val (settings, shift) = app.onIo {
                val store = app.openStore()
                val settings = store.program().use { it.settings() }
                settings to store.encounters().use { it.shiftSummary() }
            }
            this.settings = settings
            val s = app.strings
            val names = settings.items.associate { it.id to s.programName(it.name, it.nameEs) }
            val kits = settings.kits.filter { it.active }.map { kit ->
                val contents = kit.items.joinToString(", ") { "${it.quantity} ${names[it.itemId] ?: it.itemId}" }
                KitTile(kit.id, s.programName(kit.name, kit.nameEs), kit.items.sumOf { it.quantity.toInt() }, contents)
            }
            _state.update { LogState(settings.name, kits, shift.encounters.toInt(), shift.waiting.toLong(), app.platform.isOnline()) }
        }
    }

    /** A tile was tapped: the review sheet, prefilled from the kit. */
    fun tapKit(kitId: String) = app.openSheet(kitId)

    /** Supplies without a kit. */
    fun tapOther() = app.openSheet(null)
}
