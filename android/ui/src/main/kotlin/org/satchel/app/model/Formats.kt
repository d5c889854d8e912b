package org.satchel.app.model

import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

/** Times as the worker reads them: the phone's own time zone, 24-hour clock. */
object Formats {
    private val clock = DateTimeFormatter.ofPattern("HH:mm")

    fun time(at: Instant, platform: Platform, zone: ZoneId = ZoneId.systemDefault()): String =
        clock.format(at.atZone(zone))

    fun unixTime(seconds: Long, zone: ZoneId = ZoneId.systemDefault()): String =
        clock.format(Instant.ofEpochSecond(seconds).atZone(zone))
}
