package org.satchel.app.features.today

import org.satchel.app.model.Session
import org.satchel.app.model.Formats
import org.satchel.ffi.EncounterSummary
import org.satchel.ffi.ShiftSummary
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update

/** One row of Today: what the worker needs to recognise the encounter, and its sync state. */
data class TodayRow(
    val encounterId: String,
    val time: String,
    val zone: String,
    val contactType: String,
    val supplies: String,
    val voided: Boolean,
    val synced: Boolean,
    /** "Waiting", "Sent", and for a void whether the void itself was sent ("Voided · Waiting"). */
    val status: String = "",
)

data class TodayState(
    val summary: ShiftSummary? = null,
    val rows: List<TodayRow> = emptyList(),
    /** The encounter waiting for the worker to confirm its void. */
    val confirmVoid: String? = null,
)

/** Today: the shift's encounters, newest first, with the core's shift summary. */
class TodayModel(private val app: Session) {
    private val _state = MutableStateFlow(TodayState())
    val state: StateFlow<TodayState> = _state

    fun refresh() {
        if (!app.hasStore()) return
        app.launch {
            val (summary, list, settings) = app.onIo {
                val store = app.openStore()
                store.encounters().use { enc ->
                    Triple(enc.shiftSummary(), enc.shift(), app.programSettings ?: store.program().use { it.settings() })
                }
            }
            val s = app.strings
            val names = settings.items.associate { it.id to s.programName(it.name, it.nameEs) }
            val zones = settings.zones.associate { it.id to s.programName(it.label, it.labelEs) }
            val rows = list.map { e -> row(e, names, zones) }
            _state.update { it.copy(summary = summary, rows = rows) }
        }
    }

    private fun row(e: EncounterSummary, items: Map<String, String>, zones: Map<String, String>) = TodayRow(
        encounterId = e.encounterId,
        time = Formats.time(e.occurredAt, app.platform),
        zone = zones[e.zoneId] ?: e.zoneId,
        contactType = app.strings.contactTypeName(e.contactType.name),
        supplies = e.items.joinToString(", ") { "${it.quantity} × ${items[it.itemId] ?: it.itemId}" },
        voided = e.voided,
        synced = e.synced,
        status = app.strings.let { s ->
            val sent = if (e.synced) s.sent else s.waiting
            if (e.voided) "${s.voided} · $sent" else sent
        },
    )

    fun tap(encounterId: String) {
        val row = _state.value.rows.firstOrNull { it.encounterId == encounterId } ?: return
        if (!row.voided) app.openCorrection(encounterId)
    }

    fun askVoid(encounterId: String) = _state.update { it.copy(confirmVoid = encounterId) }
    fun cancelVoid() = _state.update { it.copy(confirmVoid = null) }

    fun confirmVoid() {
        val id = _state.value.confirmVoid ?: return
        _state.update { it.copy(confirmVoid = null) }
        app.launch {
            app.onIo { app.openStore().encounters().use { it.void(id) } }
            app.closeSheet()
            app.refreshAll()
        }
    }
}
