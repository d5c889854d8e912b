"""Times one encounter logged through the Python bindings against the same call from Rust.

Run through bindings/bench.sh, which builds both in release mode. Prints p50/p95 of each and
the ratio; the two are measured in the same run, one after the other, on the same machine.
"""

import datetime
import statistics
import subprocess
import sys
import tempfile
import time

import conftest  # noqa: F401 - puts the generated bindings on the path
import satchel_ffi as s
from doubles import MemoryKeystore


def python_times(n):
    with tempfile.TemporaryDirectory() as tmp:
        store = s.SatchelStore.create(f"{tmp}/store", s.DeviceRole.OUTREACH, "2468", MemoryKeystore(), False)
        store.stock().set_device_location("van-1")
        encounters = store.encounters()

        def entry():
            return s.EncounterInput(
                occurred_at=datetime.datetime.now(datetime.timezone.utc),
                contact_type=s.ContactType.STREET,
                zone_id="downtown",
                participant_code="MA12JS",
                age_band_id="25-34",
                gender_id="woman",
                items=[
                    s.ItemQuantity(item_id="syringe-1ml", quantity=20),
                    s.ItemQuantity(item_id="naloxone-nasal", quantity=1),
                    s.ItemQuantity(item_id="fentanyl-strip", quantity=2),
                ],
                syringes_collected=12,
                referral_ids=["moud"],
                substance_ids=["opioids"],
            )

        for _ in range(50):
            encounters.log(entry())
        times = []
        for _ in range(n):
            e = entry()
            t = time.perf_counter()
            encounters.log(e)
            times.append((time.perf_counter() - t) * 1e6)
        store.lock()
        return sorted(times)


def pct(times, p):
    return times[min(int(len(times) * p), len(times) - 1)]


def main():
    rust_bin, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rust = dict(kv.split("=") for kv in subprocess.check_output([rust_bin, str(n)], text=True).split()[1:])
    py = python_times(n)
    r50, r95 = float(rust["p50_us"]), float(rust["p95_us"])
    p50, p95 = pct(py, 0.5), pct(py, 0.95)
    print(f"log one encounter, n={n}")
    print(f"  Rust call          p50 {r50:8.1f} us  p95 {r95:8.1f} us")
    print(f"  Python bindings    p50 {p50:8.1f} us  p95 {p95:8.1f} us  (mean {statistics.mean(py):.1f} us)")
    print(f"  ratio Python/Rust  p50 {p50 / r50:.2f}x  p95 {p95 / r95:.2f}x")


if __name__ == "__main__":
    main()
