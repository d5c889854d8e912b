import CoreImage.CIFilterBuiltins
import SatchelFFI
import SatchelKit
import SwiftUI

/// The review sheet: steppers for the supplies, chips for the rest, Save pinned at the bottom
/// so that it stays on screen at any Dynamic Type size.
struct ReviewView: View {
    @Bindable var model: ReviewViewModel
    let strings: Strings

    var body: some View {
        NavigationStack {
            Form {
                // The zone first: it is carried over from the last contact, and a wrong one
                // must be seen before Save.
                Section {
                    Picker(strings(.zone), selection: $model.zoneId) { ForEach(model.zones, id: \.id) { Text($0.label).tag($0.id) } }
                }
                // A contact logged late gets its own time (D99).
                if model.correcting == nil {
                    Section(model.contactTime) {
                        Stepper("\(strings(.minutesEarlier)): \(model.minutesEarlier)", onIncrement: { model.stepMinutesEarlier(by: 1) }, onDecrement: { model.stepMinutesEarlier(by: -1) })
                    }
                }
                Section(strings(.items)) {
                    ForEach(model.items) { item in
                        Stepper(value: Binding(get: { item.quantity }, set: { model.step(item.id, by: $0 - item.quantity); Task { await model.refreshNaloxone() } }), in: 0...ReviewViewModel.maxQuantity) {
                            Text("\(item.name): \(item.quantity)")
                        }
                        .accessibilityLabel(item.name)
                    }
                    if !model.addable.isEmpty {
                        Menu(strings(.addItem)) {
                            ForEach(model.addable) { item in
                                Button(item.name) { model.add(item.id); Task { await model.refreshNaloxone() } }
                            }
                        }
                    }
                }
                // The exchange beside the supplies: what came back, and for how many others.
                Section {
                    Stepper("\(strings.counter(.syringesCollected)): \(model.count(.syringesCollected))", onIncrement: { model.step(.syringesCollected, by: 1) }, onDecrement: { model.step(.syringesCollected, by: -1) })
                    ForEach(model.containers) { c in
                        Stepper("\(model.label(c)): \(c.count)", onIncrement: { model.step(container: c.id, by: 1) }, onDecrement: { model.step(container: c.id, by: -1) })
                    }
                    Stepper("\(strings.counter(.collectingFor)): \(model.count(.collectingFor))", onIncrement: { model.step(.collectingFor, by: 1) }, onDecrement: { model.step(.collectingFor, by: -1) })
                }
                if model.asksNaloxoneKit {
                    Section(strings(.naloxoneKitTitle)) {
                        Picker(strings(.naloxoneKitTitle), selection: $model.naloxoneKit) {
                            Text(strings(.notAsked)).tag(NaloxoneKit?.none)
                            ForEach([NaloxoneKit.first, .refillUsed, .refillLost, .refillConfiscated, .refillExpired, .refillOther], id: \.self) {
                                Text(strings.naloxoneKit($0)).tag(NaloxoneKit?.some($0))
                            }
                        }
                        .pickerStyle(.inline)
                    }
                }
                Section {
                    Picker(strings(.contactType), selection: $model.contactType) {
                        ForEach([ContactType.street, .mobileUnit, .dropIn, .peerDelivery, .phoneText], id: \.self) { Text(strings.contactType($0)).tag($0) }
                    }
                    Toggle(strings(.newParticipant), isOn: $model.newParticipant)
                }
                // The participant's own code: only a reference that does not reveal it is kept.
                Section {
                    TextField(strings(.participantCode), text: Binding(get: { model.participantCode }, set: { code in Task { await model.setParticipantCode(code) } }))
                        .textInputAutocapitalization(.characters)
                        .autocorrectionDisabled()
                    Text(strings(.participantCodeHint)).font(.footnote).foregroundStyle(.secondary)
                    if let seen = model.seenBefore { Text(strings(seen ? .seenBefore : .notSeenBefore)) }
                    Picker(strings(.ageBand), selection: $model.ageBandId) {
                        Text(strings(.notRecorded)).tag(String?.none)
                        ForEach(model.choices.ageBands, id: \.id) { Text($0.label).tag(String?.some($0.id)) }
                    }
                    Picker(strings(.gender), selection: $model.genderId) {
                        Text(strings(.notRecorded)).tag(String?.none)
                        ForEach(model.choices.genders, id: \.id) { Text($0.label).tag(String?.some($0.id)) }
                    }
                }
                if model.asksProfile { ProfileSection(model: model, strings: strings) }
                if model.offersProfileUpdate {
                    Section { Button(strings(.updateProfile)) { model.updateProfile() } }
                }
                if !model.deliverable.isEmpty {
                    Section(strings(.deliveredTitle)) {
                        ForEach(model.deliverable, id: \.id) { d in
                            Toggle(d.label, isOn: Binding(get: { model.delivered[d.id] != nil }, set: { _ in model.toggleDelivered(d.id) }))
                            if model.delivered[d.id] != nil {
                                Toggle(strings(.linkedToCare, d.label), isOn: Binding(get: { model.delivered[d.id] == .linkedToCare }, set: { model.setLinked(d.id, $0) }))
                            }
                        }
                    }
                }
                Section(strings(.referrals)) {
                    ForEach(model.choices.referrals, id: \.id) { r in
                        Toggle(r.label, isOn: Binding(get: { model.referralIds.contains(r.id) }, set: { _ in Task { await model.toggleReferral(r.id) } }))
                    }
                }
                Section(strings(.substances)) {
                    ForEach(model.choices.substances, id: \.id) { c in
                        Toggle(c.label, isOn: Binding(get: { model.substanceIds.contains(c.id) }, set: { _ in model.toggleSubstance(c.id) }))
                    }
                }
                if !model.services.isEmpty {
                    Section(strings(.servicesTitle)) {
                        ForEach(model.services, id: \.service.id) { m in
                            VStack(alignment: .leading, spacing: 4) {
                                Text(strings.serviceName(m.service)).font(.headline)
                                Text(strings.openStatus(m.status))
                                Text(strings.doorSummary(m.service)).font(.subheadline)
                                Button(strings(.handOver)) { Task { await model.handOver(m.service.id) } }
                                Toggle(strings(.suggested), isOn: Binding(get: { model.suggested.contains(m.service.id) }, set: { _ in model.toggleSuggested(m.service.id) }))
                            }
                        }
                    }
                }
                ForEach([Counter.overdoseReversals, .naloxoneDosesUsed], id: \.self) { counter in
                    Stepper("\(strings.counter(counter)): \(model.count(counter))", onIncrement: { model.step(counter, by: 1) }, onDecrement: { model.step(counter, by: -1) })
                }
                if let error = model.error { Text(error).foregroundStyle(.red) }
            }
            .navigationTitle(model.kitName ?? strings(model.correcting == nil ? .reviewTitle : .correctTitle))
            .fullScreenCover(isPresented: Binding(get: { model.card != nil }, set: { if !$0 { model.closeCard() } })) {
                if let card = model.card { HandoverView(card: card, language: model.cardLanguage, strings: strings, model: model) }
            }
            .toolbar { ToolbarItem(placement: .cancellationAction) { Button(strings(.cancel)) { model.close() } } }
            .safeAreaInset(edge: .bottom) {
                Button { Task { await model.save() } } label: {
                    Text(strings(.save)).font(.title3.bold()).frame(maxWidth: .infinity, minHeight: 56)
                }
                .buttonStyle(.borderedProminent)
                .disabled(model.busy)
                .padding()
            }
        }
    }
}

/// The participant profile, asked once when the code is new to this phone: every question
/// stays at "Ask later" unless answered, so skipping it costs no tap.
struct ProfileSection: View {
    @Bindable var model: ReviewViewModel
    let strings: Strings

    var body: some View {
        Section(strings(model.updatingProfile ? .profileUpdateTitle : .profileTitle)) {
            Text(strings(.profileHint)).font(.footnote)
            if !model.profileLists.races.isEmpty {
                Text(strings(.race)).font(.headline)
                ForEach(model.profileLists.races, id: \.id) { r in
                    Toggle(r.label, isOn: Binding(get: { model.raceIds.contains(r.id) }, set: { _ in model.toggleRace(r.id) }))
                }
                Toggle(strings(.declined), isOn: Binding(get: { model.race == .declined }, set: { model.setRace($0 ? .declined : .notAsked) }))
            }
            question(strings(.ethnicity), model.profileLists.ethnicities, $model.ethnicity)
            question(strings(.residence), model.profileLists.residences, $model.residence)
        }
    }

    @ViewBuilder
    private func question(_ title: String, _ list: [Choice], _ answer: Binding<ProfileAnswer>) -> some View {
        if !list.isEmpty {
            Picker(title, selection: answer) {
                Text(strings(.askLater)).tag(ProfileAnswer.notAsked)
                ForEach(list, id: \.id) { Text($0.label).tag(ProfileAnswer.chosen(ids: [$0.id])) }
                Text(strings(.declined)).tag(ProfileAnswer.declined)
            }
        }
    }
}

/// The hand-over card: the participant's language (chosen here, apart from the app's), the
/// service in large text, and a QR code of its vCard (Core Image), black on white.
struct HandoverView: View {
    let card: HandoverCard
    let language: CardLanguage?
    let strings: Strings
    let model: ReviewViewModel

    var body: some View {
        NavigationStack {
            ScrollView {
                VStack(alignment: .leading, spacing: 12) {
                    Picker(strings(.cardLanguage), selection: Binding(get: { language ?? .english }, set: { l in Task { await model.setCardLanguage(l) } })) {
                        Text("English").tag(CardLanguage.english)
                        Text("Español").tag(CardLanguage.spanish)
                    }
                    .pickerStyle(.segmented)
                    Text(card.title).font(.largeTitle.bold())
                    ForEach(card.lines, id: \.self) { Text($0).font(.title2) }
                    if let qr = qrImage(card.payload) {
                        Image(uiImage: qr).interpolation(.none).resizable().scaledToFit().frame(maxWidth: 280)
                            .padding(12).background(Color.white)
                            .accessibilityLabel(strings(.qrNote))
                    }
                    Text(strings(.qrNote)).font(.body)
                }
                .padding()
            }
            .toolbar { ToolbarItem(placement: .cancellationAction) { Button(strings(.back)) { model.closeCard() } } }
        }
    }

    private func qrImage(_ payload: String) -> UIImage? {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(payload.utf8)
        filter.correctionLevel = "M"
        guard let output = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 8, y: 8)),
              let cg = CIContext().createCGImage(output, from: output.extent) else { return nil }
        return UIImage(cgImage: cg)
    }
}
