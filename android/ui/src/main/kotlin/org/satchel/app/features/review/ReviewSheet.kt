package org.satchel.app.features.review

import org.satchel.app.screens.AddIcon
import org.satchel.app.screens.ChoiceChips
import org.satchel.app.screens.MinTouch
import org.satchel.app.screens.SectionTitle
import org.satchel.app.screens.Stepper
import org.satchel.app.screens.ToggleChips
import org.satchel.app.strings.Strings
import org.satchel.ffi.Choice
import org.satchel.ffi.ContactType
import org.satchel.ffi.NaloxoneKit
import org.satchel.ffi.Outcome
import org.satchel.ffi.ProfileAnswer
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.sizeIn
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.DropdownMenu
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Switch
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.KeyboardCapitalization
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp

/** The review sheet: the kit's supplies with steppers and the encounter's details as chips
 *  ([ReviewSaveBar] holds Save). */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ReviewSheet(model: ReviewModel, strings: Strings) {
    val s by model.state.collectAsState()
    val card = s.card
    if (card != null) {
        HandoverScreen(card, s.cardLanguage, strings, model::setCardLanguage, model::closeCard)
        return
    }
    Column(Modifier.fillMaxSize()) {
        Column(
            modifier = Modifier.weight(1f).verticalScroll(rememberScrollState()).padding(horizontal = 16.dp),
        ) {
            FlowRow(
                horizontalArrangement = Arrangement.SpaceBetween,
                modifier = Modifier.fillMaxWidth().padding(top = 8.dp),
            ) {
                Text(
                    if (s.correcting != null) strings.correctTitle else (s.kitName ?: strings.reviewTitle),
                    style = MaterialTheme.typography.titleLarge,
                    modifier = Modifier.align(Alignment.CenterVertically),
                )
                TextButton(onClick = model::close, modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("sheet-cancel")) {
                    Text(strings.cancel)
                }
            }
            // The zone first: it is carried over from the last contact, and a wrong one must be
            // seen before Save, not below the fold.
            SectionTitle(strings.zone)
            ChoiceChips(s.zones.map { it.id to it.label }, s.zoneId, model::setZone)
            if (s.correcting == null) {
                // A contact logged late gets its own time (D99).
                SectionTitle(strings.contactAt(model.contactTime(s)))
                Stepper(
                    label = strings.minutesEarlier,
                    value = s.minutesEarlier,
                    addDescription = strings.addOne(strings.minutesEarlier),
                    removeDescription = strings.removeOne(strings.minutesEarlier),
                    onStep = model::stepMinutesEarlier,
                )
            }
            SectionTitle(strings.items)
            for (item in s.items) {
                Stepper(
                    label = item.name,
                    value = item.quantity,
                    addDescription = strings.addOne(item.name),
                    removeDescription = strings.removeOne(item.name),
                    onStep = { by -> model.step(item.id, by) },
                )
            }
            if (s.addable.isNotEmpty()) {
                var open by remember { mutableStateOf(false) }
                Box {
                    OutlinedButton(onClick = { open = true }, modifier = Modifier.sizeIn(minHeight = MinTouch)) {
                        Icon(AddIcon, contentDescription = null)
                        Text(strings.addItem)
                    }
                    DropdownMenu(expanded = open, onDismissRequest = { open = false }) {
                        for (item in s.addable) {
                            DropdownMenuItem(text = { Text(item.name) }, onClick = { open = false; model.addItem(item.id) })
                        }
                    }
                }
            }
            // The exchange beside the supplies: what came back, and for how many others.
            CounterRow(strings.syringesCollected, s.syringesCollected, strings) { model.stepCounter(Counter.SYRINGES_COLLECTED, it) }
            for (c in s.containers) {
                CounterRow(strings.containersOf(c.name, c.syringesEach), c.count, strings) { model.stepContainer(c.id, it) }
            }
            CounterRow(strings.collectingFor, s.collectingFor, strings) { model.stepCounter(Counter.COLLECTING_FOR, it) }
            if (s.asksNaloxoneKit) {
                SectionTitle(strings.naloxoneKitTitle, Modifier.testTag("naloxone-kit"))
                ChoiceChips(listOf<Pair<NaloxoneKit?, String>>(null to strings.notRecorded) + NaloxoneKit.entries.map { it to strings.naloxoneKitName(it) }, s.naloxoneKit, model::setNaloxoneKit)
            }
            SectionTitle(strings.contactType)
            ChoiceChips(ContactType.entries.map { it to strings.contactTypeName(it.name) }, s.contactType, model::setContactType)

            SectionTitle(strings.participantCode)
            OutlinedTextField(
                value = s.participantCode,
                onValueChange = model::setParticipantCode,
                singleLine = true,
                visualTransformation = PasswordVisualTransformation(),
                // Never suggested, corrected or learnt by the keyboard (a password field; the
                // Android app also asks the keyboard not to learn from any field).
                keyboardOptions = KeyboardOptions(
                    capitalization = KeyboardCapitalization.Characters,
                    autoCorrectEnabled = false,
                    keyboardType = KeyboardType.Password,
                ),
                supportingText = {
                    Text(
                        when (s.seenBefore) {
                            true -> strings.seenBefore
                            false -> strings.notSeenBefore
                            null -> strings.participantCodeHint
                        },
                    )
                },
                modifier = Modifier.fillMaxWidth().testTag("participant-code").semantics { contentDescription = strings.participantCode },
            )
            Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                Text(strings.newParticipant, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
                Switch(
                    checked = s.newParticipant,
                    onCheckedChange = model::setNewParticipant,
                    modifier = Modifier.semantics { contentDescription = strings.newParticipant },
                )
            }
            if (s.asksProfile) ProfileStep(s, model, strings)
            if (s.offersProfileUpdate) {
                TextButton(onClick = model::updateProfile, modifier = Modifier.sizeIn(minHeight = MinTouch).testTag("update-profile")) {
                    Text(strings.updateProfile)
                }
            }
            SectionTitle(strings.ageBand)
            ChoiceChips(listOf<Pair<String?, String>>(null to strings.notRecorded) + s.ageBands.map { it.id to it.label }, s.ageBandId, model::setAgeBand)
            SectionTitle(strings.gender)
            ChoiceChips(listOf<Pair<String?, String>>(null to strings.notRecorded) + s.genders.map { it.id to it.label }, s.genderId, model::setGender)
            SectionTitle(strings.referrals)
            ToggleChips(s.referralTypes.map { it.id to it.label }, s.referralIds, model::toggleReferral)
            if (s.services.isNotEmpty()) {
                SectionTitle(strings.servicesTitle)
                for (m in s.services) {
                    ServiceRow(m, m.service.id in s.suggested, strings, { model.toggleSuggested(m.service.id) }) { model.handOver(m.service.id) }
                }
            }
            if (s.deliverable.isNotEmpty()) {
                SectionTitle(strings.deliveredTitle)
                ToggleChips(s.deliverable.map { it.id to it.label }, s.delivered.keys, model::toggleDelivered)
                for (d in s.deliverable.filter { it.id in s.delivered }) {
                    Row(verticalAlignment = Alignment.CenterVertically, modifier = Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                        Text(strings.linkedToCare(d.label), style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
                        Switch(
                            checked = s.delivered[d.id] == Outcome.LINKED_TO_CARE,
                            onCheckedChange = { model.setLinked(d.id, it) },
                            modifier = Modifier.testTag("linked-${d.id}").semantics { contentDescription = strings.linkedToCare(d.label) },
                        )
                    }
                }
            }
            SectionTitle(strings.substances)
            ToggleChips(s.substances.map { it.id to it.label }, s.substanceIds, model::toggleSubstance)

            HorizontalDivider(Modifier.padding(vertical = 12.dp))
            CounterRow(strings.overdoseReversals, s.overdoseReversals, strings) { model.stepCounter(Counter.OVERDOSE_REVERSALS, it) }
            CounterRow(strings.naloxoneDosesUsed, s.naloxoneDosesUsed, strings) { model.stepCounter(Counter.NALOXONE_DOSES_USED, it) }
            s.error?.let {
                Text(it, color = MaterialTheme.colorScheme.error, modifier = Modifier.padding(vertical = 8.dp).testTag("sheet-error"))
            }
        }
    }
}

/**
 * The participant profile, asked once when the code is new to this phone (or opened to update
 * what a person seen before said): large chips, each question left at "Ask later" unless
 * answered, so skipping it costs no tap and never erases an earlier answer.
 */
@Composable
fun ProfileStep(s: ReviewState, model: ReviewModel, strings: Strings) {
    Surface(tonalElevation = 1.dp, modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp).testTag("profile")) {
        Column(Modifier.padding(12.dp)) {
            Text(if (s.updatingProfile) strings.profileUpdateTitle else strings.profileTitle, style = MaterialTheme.typography.titleMedium)
            Text(strings.profileHint, style = MaterialTheme.typography.bodyMedium)
            if (s.races.isNotEmpty()) {
                SectionTitle(strings.race)
                ToggleChips(s.races.map { it.id to it.label }, s.raceIds, model::toggleRace)
                ChoiceChips(listOf(ProfileAnswer.NotAsked to strings.askLater, ProfileAnswer.Declined to strings.declined), s.race.takeIf { it !is ProfileAnswer.Chosen }, model::setRace)
            }
            for ((title, list, answer, set) in listOf(
                Question(strings.ethnicity, s.ethnicities, s.ethnicity, model::setEthnicity),
                Question(strings.residence, s.residences, s.residence, model::setResidence),
            )) {
                if (list.isEmpty()) continue
                SectionTitle(title)
                val options = list.map<Choice, Pair<ProfileAnswer, String>> { ProfileAnswer.Chosen(listOf(it.id)) to it.label } +
                    listOf(ProfileAnswer.NotAsked to strings.askLater, ProfileAnswer.Declined to strings.declined)
                ChoiceChips(options, answer, set)
            }
        }
    }
}

private data class Question(val title: String, val list: List<Choice>, val answer: ProfileAnswer, val set: (ProfileAnswer) -> Unit)

/**
 * Save, alone and full width at the bottom of the window (the app puts it where the tabs are,
 * so that the "Saved · Undo" message sits above it, never over it): one thumb reaches it, and
 * it stays on screen at any text size.
 */
@Composable
fun ReviewSaveBar(model: ReviewModel, strings: Strings) {
    val s by model.state.collectAsState()
    // The hand-over card is the participant's to read: no Save under it (Back returns to it).
    if (s.card != null) return
    Surface(tonalElevation = 3.dp, modifier = Modifier.fillMaxWidth()) {
        Button(
            onClick = model::save,
            enabled = !s.busy,
            modifier = Modifier.padding(12.dp).fillMaxWidth().sizeIn(minHeight = 56.dp).testTag("save"),
        ) { Text(strings.save, style = MaterialTheme.typography.titleMedium, maxLines = 1) }
    }
}

@Composable
private fun CounterRow(label: String, value: Int, strings: Strings, onStep: (Int) -> Unit) =
    Stepper(label, value, strings.addOne(label), strings.removeOne(label), onStep)
