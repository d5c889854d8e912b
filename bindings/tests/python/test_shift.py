"""A worker's shift through the generated Python bindings, against the real library."""

import datetime
import threading

import pytest

import satchel_ffi as s
from doubles import MemoryKeystore

PIN = "2468"


def now():
    return datetime.datetime.now(datetime.timezone.utc)


@pytest.fixture
def keystore():
    return MemoryKeystore()


@pytest.fixture
def store(tmp_path, keystore):
    st = s.SatchelStore.create(str(tmp_path / "store"), s.DeviceRole.OUTREACH, PIN, keystore, False)
    yield st
    st.lock()


def street(**changes):
    fields = dict(
        occurred_at=now(),
        contact_type=s.ContactType.STREET,
        zone_id="downtown",
        participant_code="MA12JS",
        age_band_id="25-34",
        gender_id="woman",
        syringes_collected=12,
        referral_ids=["moud"],
        substance_ids=["opioids"],
    )
    fields.update(changes)
    return s.EncounterInput(**fields)


def level(store, item):
    return next((l.level for l in store.stock().levels("van-1") if l.item_id == item), 0)


def test_a_full_shift(tmp_path, store, keystore):
    stock, encounters = store.stock(), store.encounters()
    settings = store.program().settings()
    assert any(k.id == "standard" for k in settings.kits)
    assert settings.small_cell_threshold == 11

    stock.set_device_location("van-1")
    assert stock.device_location() == "van-1"
    stock.receive("van-1", "syringe-1ml", 500)
    stock.receive("van-1", "naloxone-nasal", 12)

    first = encounters.log_from_kit("standard", [s.ItemQuantity(item_id="syringe-1ml", quantity=20)], street())
    second = encounters.log_from_kit("naloxone", [], street(participant_code="ZZ01AB", new_participant=True))
    assert level(store, "syringe-1ml") == 480
    assert level(store, "naloxone-nasal") == 11
    assert encounters.participant_seen("ma-12-js")
    assert not encounters.participant_seen("QQ99ZZ")

    encounters.correct(first, street(items=[s.ItemQuantity(item_id="syringe-1ml", quantity=10)], participant_code=None))
    assert level(store, "syringe-1ml") == 490
    corrected = encounters.get(first)
    assert corrected.version == 2 and corrected.has_participant and not corrected.voided
    encounters.void(second)
    assert level(store, "naloxone-nasal") == 12
    recent = encounters.recent(10)
    assert [e.encounter_id for e in recent] == [second, first]
    assert next(e for e in recent if e.encounter_id == second).voided

    stock.transfer("office", "van-1", "naloxone-nasal", 3)
    stock.adjust("van-1", "naloxone-nasal", -2, s.AdjustReason.EXPIRED)
    stock.count("van-1", "fentanyl-strip", 4)
    assert level(store, "naloxone-nasal") == 13
    assert any(l.item_id == "fentanyl-strip" and l.level == 4 for l in stock.low_stock())

    today = now().astimezone(datetime.timezone(datetime.timedelta(hours=-5))).date()
    span = (today - datetime.timedelta(days=1)).isoformat(), (today + datetime.timedelta(days=1)).isoformat()
    report = store.reports().tally(span[0], span[1], s.Granularity.WEEK, None)
    assert report.total.encounters == 1
    assert report.total.items["syringe-1ml"].units == 10
    assert report.total.syringes_collected == 12
    assert report.total.by_zone == {"downtown": 1}
    assert report.total.syringe_return_ratio == pytest.approx(1.2)
    # One person, first seen in the period, counted once by age band and by gender.
    assert (report.total.participants, report.total.new_persons, report.total.contacts_without_code) == (1, 1, 0)
    assert sum(report.total.persons_by_age_band.values()) == sum(report.total.persons_by_gender.values()) == 1
    # The profile was not asked: the person counts under "not recorded" in each question.
    assert report.total.persons_by_race == {"not_recorded": 1}
    # Three days: the trend is by day, and its days add up to the period.
    assert report.trend_by == s.Granularity.DAY
    assert [b.start for b in report.trend] == [(today + datetime.timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
    assert sum(b.measures.encounters for b in report.trend) == 1

    # Locked, the data is out of reach; unlocked again, it is all there.
    store.lock()
    with pytest.raises(s.SatchelError.Locked):
        encounters.recent(10)
    reopened = s.SatchelStore.open(str(tmp_path / "store"), keystore)
    reopened.unlock_with_pin(PIN)
    assert len(reopened.encounters().recent(10)) == 2
    assert reopened.purge_expired() == 0


def test_the_profile_is_asked_once_and_counted_per_person(store):
    encounters, settings = store.encounters(), store.program().settings()
    assert {c.id for c in settings.races} >= {"white", "black", "asian"}
    assert [c.id for c in settings.ethnicities] == ["hispanic-latino", "not-hispanic-latino"]
    assert settings.residences
    chosen = lambda *ids: s.ProfileAnswer.CHOSEN(ids=list(ids))
    profile = s.ProfileInput(race=chosen("black", "white"), ethnicity=s.ProfileAnswer.DECLINED(), residence=chosen("this-county"))
    encounters.log(street(participant_code="PF01AA", profile=profile))
    # Refused, and nothing written: no code, an id not in the list, nothing answered.
    before = store.sync().status().pending
    nothing = s.ProfileInput(race=s.ProfileAnswer.NOT_ASKED(), ethnicity=s.ProfileAnswer.NOT_ASKED(), residence=s.ProfileAnswer.NOT_ASKED())
    for bad in [
        street(participant_code=None, profile=profile),
        street(participant_code="PF02BB", profile=s.ProfileInput(race=chosen("martian"), ethnicity=s.ProfileAnswer.NOT_ASKED(), residence=s.ProfileAnswer.NOT_ASKED())),
        street(participant_code="PF02BB", profile=nothing),
    ]:
        with pytest.raises(s.SatchelError.InvalidInput):
            encounters.log(bad)
    with pytest.raises(s.SatchelError.InvalidInput):
        encounters.record_profile("PF01AA", nothing)
    assert store.sync().status().pending == before
    # Later, the person gives their ethnicity; race and residence stand.
    encounters.record_profile("pf-01-aa", s.ProfileInput(race=s.ProfileAnswer.NOT_ASKED(), ethnicity=chosen("hispanic-latino"), residence=s.ProfileAnswer.NOT_ASKED()))
    assert store.sync().status().pending == before + 1
    today = now().astimezone(datetime.timezone(datetime.timedelta(hours=-5))).date()
    span = (today - datetime.timedelta(days=1)).isoformat(), (today + datetime.timedelta(days=1)).isoformat()
    total = store.reports().tally(span[0], span[1], None, None).total
    assert total.participants == 1
    assert total.persons_by_race == {"multiple": 1}
    assert total.persons_by_ethnicity == {"hispanic-latino": 1}
    assert total.persons_by_residence == {"this-county": 1}


def test_services_delivered_and_naloxone_kits(store):
    encounters, settings = store.encounters(), store.program().settings()
    assert "hiv-test" in [c.id for c in settings.services_delivered]
    given = s.DeliveredService(service_id="hiv-test", outcome=s.Outcome.LINKED_TO_CARE)
    encounters.log(street(items=[s.ItemQuantity(item_id="naloxone-nasal", quantity=1)], naloxone_kit=s.NaloxoneKit.REFILL_CONFISCATED, services_delivered=[given]))
    # A kit's reason with no naloxone given, or a service not in the list: refused.
    with pytest.raises(s.SatchelError.InvalidInput):
        encounters.log(street(naloxone_kit=s.NaloxoneKit.FIRST))
    with pytest.raises(s.SatchelError.InvalidInput):
        encounters.log(street(services_delivered=[s.DeliveredService(service_id="tarot", outcome=s.Outcome.DONE)]))
    (only,) = encounters.recent(10)
    again = encounters.for_correction(only.encounter_id)
    assert again.naloxone_kit == s.NaloxoneKit.REFILL_CONFISCATED and again.services_delivered == [given]
    today = now().astimezone(datetime.timezone(datetime.timedelta(hours=-5))).date()
    span = (today - datetime.timedelta(days=1)).isoformat(), (today + datetime.timedelta(days=1)).isoformat()
    total = store.reports().tally(span[0], span[1], None, None).total
    assert total.services_delivered == {"hiv-test/linked_to_care": 1}
    assert total.naloxone_kits == {"refill_confiscated": 1}


def test_syringes_sent_for_disposal(store):
    disposals = store.disposals()
    assert store.program().settings().syringes_per_pound == 0
    # The starter program has no syringes-per-pound figure: a weight is refused, a count taken.
    with pytest.raises(s.SatchelError.InvalidInput) as no_figure:
        disposals.record(s.DisposalAmount.WEIGHED(tenths_of_pound=25), None)
    assert no_figure.value.field == "syringes_per_pound"
    with pytest.raises(s.SatchelError.InvalidInput) as zero:
        disposals.record(s.DisposalAmount.COUNTED(syringes=0), None)
    assert zero.value.field == "syringes"
    assert disposals.recent(30, 10) == []
    kept = disposals.record(s.DisposalAmount.COUNTED(syringes=120), None)
    wrong = disposals.record(s.DisposalAmount.COUNTED(syringes=12), now() - datetime.timedelta(hours=2))
    disposals.void(wrong)
    with pytest.raises(s.SatchelError.NotPermitted):
        disposals.void(wrong)
    with pytest.raises(s.SatchelError.InvalidInput):
        disposals.void("not-an-id")
    listed = disposals.recent(30, 10)
    assert [(e.id, e.syringes, e.voided, e.mine) for e in listed] == [(kept, 120, False, True), (wrong, 12, True, True)]
    today = now().astimezone(datetime.timezone(datetime.timedelta(hours=-5))).date()
    span = (today - datetime.timedelta(days=1)).isoformat(), (today + datetime.timedelta(days=1)).isoformat()
    total = store.reports().tally(span[0], span[1], None, None).total
    assert (total.syringes_disposed, total.syringes_disposed_estimated) == (120, 0)


def test_the_forms_limits_are_the_cores(store):
    limits = s.form_limits()
    enc = store.encounters()
    # At each limit Save takes it; one past it, Save refuses it on that field.
    for field, top in (("overdose_reversals", limits.overdose_reversals.max), ("collecting_for", limits.collecting_for.max),
                       ("naloxone_doses_used", limits.naloxone_doses_used.max), ("syringes_collected", limits.syringes_collected.max)):
        enc.log(street(**{field: top}))
        with pytest.raises(s.SatchelError.InvalidInput) as past:
            enc.log(street(**{field: top + 1}))
        assert past.value.field == field
    assert (limits.overdose_reversals.max, limits.collecting_for.max) == (20, 50)
    stock = store.stock()
    with pytest.raises(s.SatchelError.InvalidInput):
        stock.receive("van-1", "syringe-1ml", limits.stock_quantity.max + 1)


def test_the_sheet_is_the_cores_and_a_draft_outlives_a_lock(tmp_path, store, keystore):
    enc = store.encounters()
    blank = enc.sheet(None)
    assert (blank.input.zone_id, blank.input.contact_type) == ("downtown", s.ContactType.STREET)
    assert blank.items == [] and all(z.active for z in blank.lists.zones)
    enc.log(street(zone_id="eastside", contact_type=s.ContactType.MOBILE_UNIT))
    kit = enc.sheet("standard")
    assert (kit.input.zone_id, kit.input.contact_type) == ("eastside", s.ContactType.MOBILE_UNIT)
    assert kit.kit_name and kit.items and {l.id for l in kit.items}.isdisjoint({l.id for l in kit.addable})
    # The draft keeps what was typed except the code; it comes back once, after the lock.
    typed = kit.input
    typed.participant_code = "MA12JS"
    typed.syringes_collected = 33
    enc.keep_draft(s.SheetDraft(input=typed, correcting=None, kit_id=kit.kit_id))
    store.lock()
    again = s.SatchelStore.open(str(tmp_path / "store"), keystore)
    again.unlock_with_pin(PIN)
    back = again.encounters().take_draft()
    assert back.restored and back.code_to_retype and back.input.participant_code is None
    assert (back.input.syringes_collected, back.kit_name) == (33, kit.kit_name)
    assert again.encounters().take_draft() is None
    # Services for the chosen referral types, each once.
    found = again.program().services_for(["moud", "housing"])
    assert len({m.service.id for m in found}) == len(found)
    again.lock()


def test_every_error_is_typed(tmp_path, store):
    enc, stock = store.encounters(), store.stock()
    with pytest.raises(s.SatchelError.InvalidInput) as bad_qty:
        enc.log(street(items=[s.ItemQuantity(item_id="syringe-1ml", quantity=0)]))
    assert bad_qty.value.field == "items.quantity"
    with pytest.raises(s.SatchelError.InvalidInput) as unknown:
        enc.log(street(items=[s.ItemQuantity(item_id="unicorn", quantity=1)]))
    assert unknown.value.field == "items"
    with pytest.raises(s.SatchelError.InvalidInput) as zone:
        enc.log(street(zone_id="atlantis"))
    assert zone.value.field == "zone"
    with pytest.raises(s.SatchelError.InvalidInput) as code:
        enc.log(street(participant_code="!!"))
    assert code.value.field == "participant_code" and "!!" not in str(code.value)
    with pytest.raises(s.SatchelError.InvalidInput):
        stock.receive("moon", "syringe-1ml", 5)
    with pytest.raises(s.SatchelError.InvalidInput):
        store.reports().tally("2026-02-01", "2026-01-01", None, None)
    with pytest.raises(s.SatchelError.InvalidInput):
        store.reports().tally("yesterday", "2026-01-01", None, None)
    with pytest.raises(s.SatchelError.InvalidInput):
        enc.void("not-an-id")
    with pytest.raises(s.SatchelError.NotFound):
        enc.void("0190a000-0000-7000-8000-000000000000")
    assert enc.recent(10) == []

    path = str(tmp_path / "store")
    store.lock()
    for expected in (1, 2):
        with pytest.raises(s.SatchelError.WrongPin) as wrong:
            store.unlock_with_pin("0000")
        assert wrong.value.failed_attempts == expected
    assert store.failed_attempts() == 2
    with pytest.raises(s.SatchelError.StoreState):
        s.SatchelStore.create(path, s.DeviceRole.OUTREACH, PIN, MemoryKeystore(), False)
    with pytest.raises(s.SatchelError.StoreState):
        s.SatchelStore.open(str(tmp_path / "nowhere"), MemoryKeystore())
    with pytest.raises(s.SatchelError.StoreState):
        store.unlock_with_biometrics()  # fingerprint unlock was never turned on


def test_fingerprint_background_and_pin_change_go_through_the_keystore(tmp_path):
    path = str(tmp_path / "store")
    keystore = MemoryKeystore()
    st = s.SatchelStore.create(path, s.DeviceRole.OUTREACH, PIN, keystore, True)
    assert st.has_background_sync() and not st.has_biometric_unlock()
    st.set_biometric_unlock(True)
    assert st.has_biometric_unlock()
    st.lock()
    keystore.refuse[s.KeyUse.BIOMETRIC] = s.KeystoreError.Cancelled()
    with pytest.raises(s.SatchelError.BiometricsCancelled):
        st.unlock_with_biometrics()
    keystore.refuse[s.KeyUse.BIOMETRIC] = s.KeystoreError.Invalidated()
    with pytest.raises(s.SatchelError.BiometricsChanged):
        st.unlock_with_biometrics()
    assert st.failed_attempts() == 0, "a cancelled prompt is not a wrong attempt"
    del keystore.refuse[s.KeyUse.BIOMETRIC]
    st.unlock_with_biometrics()
    st.lock()
    st.unlock_for_background()
    st.lock()
    st.change_pin(PIN, "8042")
    with pytest.raises(s.SatchelError.WrongPin):
        st.unlock_with_pin(PIN)
    st.unlock_with_pin("8042")
    st.lock()
    # The same files with another phone's keystore (or none of its keys) open nothing.
    stranger = s.SatchelStore.open(path, MemoryKeystore())
    with pytest.raises(s.SatchelError.KeystoreFailed):
        stranger.unlock_with_pin("8042")
    # A keystore that answers with the wrong length is refused, not trusted.
    class Short(MemoryKeystore):
        def derive(self, key_use, salt):
            return b"short"
    with pytest.raises(s.SatchelError.KeystoreFailed):
        s.SatchelStore.open(path, Short()).unlock_with_pin("8042")
    st.set_biometric_unlock(False)
    assert s.KeyUse.BIOMETRIC not in keystore.keys


def test_a_panic_arrives_as_an_error():
    assert hasattr(s, "check_panic_is_caught"), "generate with SATCHEL_FFI_FEATURES=testing for the panic probe"
    with pytest.raises(s.SatchelError.Internal) as caught:
        s.check_panic_is_caught()
    assert "deliberate panic" in str(caught.value)


def test_panic_wipe_leaves_nothing(tmp_path, store, keystore):
    store.encounters().log(street())
    path = tmp_path / "store"
    assert s.store_exists(str(path))
    assert keystore.keys
    store.wipe()
    assert list(path.iterdir()) == []
    assert not s.store_exists(str(path))
    assert keystore.keys == {}, "the keystore's keys are destroyed with the files"
    s.panic_wipe(str(path), keystore)  # nothing left to wipe is fine


def test_the_store_is_safe_from_many_threads(store):
    errors = []

    def worker():
        try:
            for _ in range(10):
                store.encounters().log(street())
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.encounters().recent(100)) == 40
