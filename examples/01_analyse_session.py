"""Analyse one recorded session: summary, per-step table and a plot of the detected contacts.

Run it as ``python examples/01_analyse_session.py [OUTPUT_DIR]``; the plot goes to OUTPUT_DIR
(default: a new temporary folder). Swap ``source`` for the path of your own recording: a CSV with
``t_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z`` and, beside it, a ``<stem>.json`` sidecar that says
where the sensor was worn (``"placement": "left_ankle"``).
"""

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, no window
import matplotlib.pyplot as plt
import numpy as np

import gait
from gait.datasets import sample_dir

# 1. The bundled sample session (any session file works the same way). Without the sample
#    (a bare source checkout), simulate a 30 s walk instead.
sample_files = sorted(
    p for p in sample_dir().glob("*.csv") if not p.name.endswith((".labels.csv", ".steps.csv"))
)
if sample_files:
    source = sample_files[0]
    name = source.stem
else:
    from gait.simulate import Bout, SessionSpec, simulate_session

    spec = SessionSpec(bouts=(Bout("stand", 2.0), Bout("walk", 30.0), Bout("stand", 2.0)))
    source = simulate_session(spec, seed=1)[0]
    name = "simulated-walk"
print(f"session: {name}")

# 2. Analyse it: read the file, find every step, summarise. `source` may be a path or a Session.
result = gait.analyse(source)
for note in result.session.meta.assumptions:
    print(f"reader note: {note}")

# 3. The summary (SessionSummary; .to_dict() gives plain numbers, None = not known).
print("\nsummary")
for key, value in result.summary.to_dict().items():
    shown = f"{value:.3f}" if isinstance(value, float) else value
    print(f"  {key:<20} {shown}")

# 4. The steps: a pandas DataFrame, one row per contact of either foot.
#    instrumented=True rows are contacts of the foot that wears the sensor.
steps = result.steps
print(f"\nsteps: {len(steps)} ({int(steps['instrumented'].sum())} of the instrumented foot)")
print(steps.head(8).to_string(index=False))

# 5. Plot the angular-rate norm with the detected contacts over the first 15 s of walking.
samples = result.session.samples
signal = samples.gyr_dps if samples.has_gyro else samples.acc_ms2
label = "|angular rate| (deg/s)" if samples.has_gyro else "|acceleration| (m/s²)"
norm = np.linalg.norm(signal, axis=1)
ic_idx = result.step_table.ic_idx
own = result.step_table.instrumented

t0 = float(steps["t_s"].iloc[0]) - 1.0 if len(steps) else 0.0
window = (samples.t_s >= t0) & (samples.t_s <= t0 + 15.0)
fig, ax = plt.subplots(figsize=(10, 3.5), layout="constrained")
ax.plot(samples.t_s[window], norm[window], lw=0.8, color="0.35", label=label)
ax.plot(samples.t_s[ic_idx[own]], norm[ic_idx[own]], "o", color="tab:red", label="own foot")
ax.plot(
    samples.t_s[ic_idx[~own]], norm[ic_idx[~own]], "x", color="tab:blue", label="other foot (est.)"
)
ax.set_xlim(t0, t0 + 15.0)
ax.set_xlabel("time (s)")
ax.set_title(f"{name}: initial contacts")
ax.set_ylim(0, 1.3 * norm[window].max())  # room for the legend
ax.legend(loc="upper left", ncols=3)

out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="gait-"))
out_dir.mkdir(parents=True, exist_ok=True)
plot_file = out_dir / f"{name}_contacts.png"
fig.savefig(plot_file, dpi=110)
print(f"\nplot: {plot_file}")
