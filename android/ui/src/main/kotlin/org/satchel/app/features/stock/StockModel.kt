package org.satchel.app.features.stock

import org.satchel.app.model.Session
import org.satchel.app.strings.Strings
import org.satchel.ffi.AdjustReason
import org.satchel.ffi.StockLocation
import org.satchel.ffi.StockRow
import org.satchel.ffi.formLimits
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update

enum class StockAction { RECEIVE, COUNT, ADJUST, TRANSFER }

/** The movement being entered in the stock dialog. */
data class StockEntry(
    val action: StockAction,
    val itemId: String,
    val itemName: String,
    /** Received, counted or transferred units; for ADJUST a signed change. */
    val quantity: Int,
    val reason: AdjustReason = AdjustReason.EXPIRED,
    val toLocationId: String? = null,
)

data class StockState(
    val locationId: String? = null,
    val locationName: String? = null,
    val locations: List<StockLocation> = emptyList(),
    val rows: List<StockRow> = emptyList(),
    val entry: StockEntry? = null,
    val error: String? = null,
)

/** Stock at the phone's location: levels, low items, and the movements a worker records. */
class StockModel(private val app: Session) {
    private val _state = MutableStateFlow(StockState())
    val state: StateFlow<StockState> = _state

    fun refresh() {
        if (!app.hasStore()) return
        app.launch {
            val next = app.onIo {
                val store = app.openStore()
                val settings = app.programSettings ?: store.program().use { it.settings() }
                store.stock().use { stock ->
                    val location = stock.deviceLocation()
                    val locations = settings.locations.filter { it.active }
                    if (location == null) {
                        StockState(locations = locations.named(app.strings))
                    } else {
                        // The core joins the catalog, the levels and low or out (one rule for both apps).
                        val s = app.strings
                        val here = locations.firstOrNull { it.id == location }
                        val rows = stock.rows(location).map { it.copy(name = s.programName(it.name, it.nameEs)) }
                        StockState(location, here?.let { s.programName(it.name, it.nameEs) } ?: location, locations.named(s), rows)
                    }
                }
            }
            _state.update { next.copy(entry = it.entry) }
        }
    }

    fun chooseLocation(locationId: String) {
        app.launch {
            app.onIo { app.openStore().stock().use { it.setDeviceLocation(locationId) } }
            refresh()
        }
    }

    fun begin(action: StockAction, itemId: String) {
        val row = _state.value.rows.firstOrNull { it.itemId == itemId } ?: return
        val start = when (action) {
            StockAction.COUNT -> row.level.toInt().coerceAtLeast(0)
            StockAction.ADJUST -> -1
            else -> 1
        }
        val to = _state.value.locations.firstOrNull { it.id != _state.value.locationId }?.id
        _state.update { it.copy(entry = StockEntry(action, itemId, row.name, start, toLocationId = to), error = null) }
    }

    /** The core's ranges for stock entries: a stepper stops where Save would refuse. */
    private val limits by lazy { formLimits() }

    private fun rangeOf(action: StockAction) = when (action) {
        StockAction.ADJUST -> limits.stockAdjustment
        StockAction.COUNT -> limits.stockLevel
        else -> limits.stockQuantity
    }

    /** The number typed (receiving 1,000 syringes is not 100 long presses): digits only, a
     *  minus sign first for a correction, held to the core's range. */
    fun typeQuantity(text: String) = _state.update { s ->
        val e = s.entry ?: return@update s
        val digits = text.filter { it.isDigit() }.take(9)
        val sign = if (e.action == StockAction.ADJUST && text.trimStart().startsWith("-")) -1L else 1L
        val range = rangeOf(e.action)
        s.copy(entry = e.copy(quantity = ((digits.toLongOrNull() ?: 0L) * sign).coerceIn(range.min, range.max).toInt()))
    }

    fun step(by: Int) = _state.update { s ->
        val e = s.entry ?: return@update s
        val range = rangeOf(e.action)
        var next = (e.quantity.toLong() + by).coerceIn(range.min, range.max).toInt()
        // A correction is never 0: step over it.
        if (e.action == StockAction.ADJUST && next == 0) next = if (by > 0) 1 else -1
        s.copy(entry = e.copy(quantity = next))
    }

    fun setReason(reason: AdjustReason) = _state.update { s -> s.copy(entry = s.entry?.copy(reason = reason)) }
    fun setTarget(locationId: String) = _state.update { s -> s.copy(entry = s.entry?.copy(toLocationId = locationId)) }
    fun cancel() = _state.update { it.copy(entry = null, error = null) }

    fun confirm() {
        val s = _state.value
        val e = s.entry ?: return
        val here = s.locationId ?: return
        app.launch(onError = { err -> _state.update { it.copy(error = app.describe(err)) } }) {
            app.onIo {
                app.openStore().stock().use { stock ->
                    when (e.action) {
                        StockAction.RECEIVE -> stock.receive(here, e.itemId, e.quantity.toUInt())
                        StockAction.COUNT -> stock.count(here, e.itemId, e.quantity.toUInt())
                        StockAction.ADJUST -> stock.adjust(here, e.itemId, e.quantity.toLong(), e.reason)
                        StockAction.TRANSFER -> stock.transfer(here, e.toLocationId ?: "", e.itemId, e.quantity.toUInt())
                    }
                }
            }
            _state.update { it.copy(entry = null, error = null) }
            refresh()
            app.refreshAll()
        }
    }
}

/** The places in the worker's language (D98). */
private fun List<StockLocation>.named(s: org.satchel.app.strings.Strings) = map { it.copy(name = s.programName(it.name, it.nameEs)) }
