#!/usr/bin/env python3
"""Learning the double pendulum from observed trajectories: the comparison table of docs/observed.md.

Observes the true double pendulum (`lnn observe`: 50 trajectories of 10 s from the paper's
training distribution) at each sampling interval and noise level, trains the LNN, the baseline
and the HNN (velocity coordinates: observed positions give no canonical momenta) on the
estimated derivatives, the LNN also on the discrete Euler–Lagrange loss, and the same networks on
true accelerations; scores every model with `lnn eval` (test L1 on q̈ over the paper's state
distribution, the paper's energy error at t = 100 over 40 initial conditions).

    scripts/observed-comparison.py [--part all|double-pendulum|relativistic] [--steps N] [--jobs 2]

Results go to docs/observed.json (by part; a part re-measured replaces its own) and the table to
docs/observed.md.

Needs a release build of the CLI (cargo build --release -p lnn-cli).
"""
import argparse
import concurrent.futures as cf
import datetime
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LNN = os.path.join(ROOT, "target", "release", "lnn")
DTS = [0.01, 0.05, 0.1]
NOISES = [0.0, 1e-3, 1e-2]
# The reproduction's double-pendulum settings (crates/lnn-cli/src/repro.rs), one budget for all.
COMMON = ["--hidden", "64,64", "--batch", "32", "--schedule", "onecycle", "--lr", "3e-3",
          "--clip", "1", "--seed", "0", "--quiet"]
RUNS = [("lnn", "estimate"), ("lnn", "discrete"), ("baseline", "estimate"), ("hnn", "estimate")]


def run(args):
    out = subprocess.run([LNN] + args, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip()}
    return json.loads(out.stdout)


def job(work, system, common, steps, data, model, method, eval_args):
    name = f"{system}-{model}-{method}-" + (os.path.basename(data)[:-4] if data else "true")
    weights = os.path.join(work, name + ".json")
    args = ["train", "--system", system, "--model", model, "--steps", str(steps), "--out", weights] + common
    if data:
        args += ["--data", data, "--method", method]
    trained = run(args)
    if "error" in trained:
        return name, trained, {}
    return name, trained, run(["eval", "--model", weights, "--quiet"] + eval_args)


def fmt(x):
    return "–" if x is None else f"{x:.3g}"


def cell(result, energy=True):
    trained, evaluated = result
    if "error" in trained:
        return "failed: " + trained["error"].splitlines()[0][:60]
    if "error" in evaluated:
        return "eval failed: " + evaluated["error"].splitlines()[0][:60]
    if not energy:
        return fmt(evaluated.get("test_loss"))
    e = evaluated.get("energy_error", {})
    median = fmt(e.get("median")) if "median" in e else "∞"
    return f"{fmt(evaluated.get('test_loss'))} / {median} ({e.get('diverged', '?')}/40)"


# Each part: the system, its settings (the reproduction's, crates/lnn-cli/src/repro.rs), the
# observations and what lnn eval reports.
PARTS = {
    "double-pendulum": {
        "common": COMMON,
        "steps": 100_000,
        "observations": [(dt, noise) for dt in DTS for noise in NOISES],
        "eval": [],
        "energy": True,
    },
    "relativistic": {
        "common": ["--hidden", "64,64", "--batch", "64", "--init", "xavier", "--schedule", "onecycle",
                   "--lr", "1e-3", "--clip", "1", "--loss", "mse", "--seed", "0", "--quiet"],
        "steps": 100_000,
        "observations": [(0.05, 1e-3)],
        "eval": ["--energy-ics", "0"],
        "energy": False,
    },
}


def measure(part, steps, jobs):
    cfg = PARTS[part]
    work = tempfile.mkdtemp(prefix="observed-")
    files = {}
    for dt, noise in cfg["observations"]:
        path = os.path.join(work, f"dt{dt}-noise{noise}.csv")
        with open(path, "w") as f:
            subprocess.run([LNN, "observe", "--system", part, "--trajectories", "50", "--duration", "10",
                            "--dt", str(dt), "--noise", str(noise), "--seed", "1"], stdout=f, check=True)
        files[(dt, noise)] = path
    todo = [(None, m, "true") for m in ["lnn", "baseline", "hnn"]]
    todo += [(files[k], m, meth) for k in files for m, meth in RUNS]
    results = {}
    with cf.ThreadPoolExecutor(jobs) as ex:
        futures = {ex.submit(job, work, part, cfg["common"], steps, d, m, meth, cfg["eval"]): (d, m, meth)
                   for d, m, meth in todo}
        for f in cf.as_completed(futures):
            name, trained, evaluated = f.result()
            d, m, meth = futures[f]
            key = "true" if d is None else os.path.basename(d)[:-4]
            results[f"{key}|{m}|{meth}"] = [trained, evaluated]
            print(name, cell((trained, evaluated), cfg["energy"]), file=sys.stderr, flush=True)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return {"steps": steps, "date": str(datetime.date.today()), "commit": commit,
            "observations": cfg["observations"], "results": results}


def section(part, m):
    cfg = PARTS[part]
    r = m["results"]
    energy = cfg["energy"]
    head = (f"Generated by `scripts/observed-comparison.py --part {part} --steps {m['steps']}` on "
            f"{m['date']} at commit {m['commit']}. Settings of every model: `{' '.join(cfg['common'][:-1])}`, "
            f"{m['steps']} steps.")
    if energy:
        what = ("Each cell: **test L1 on q̈** (the paper's state distribution, 1024 states, against the true "
                "accelerations) / **median energy error** at t = 100 (the paper's protocol, 40 initial "
                "conditions; |ΔE| over 29.4; ∞ when half or more diverged) (diverged rollouts of 40). The HNN's "
                "L1 is its own test loss, over (q̇, q̈) together: half its terms are the velocities, so it "
                "reads about half of an L1 on q̈ alone.")
    else:
        what = ("Each cell: **test MSE** against the true motion over the paper's state distribution "
                "(1024 states; q̈ for the LNN and the baseline, (q̇, q̈) for the HNN).")
    lines = [f"## {part}", "", head, "", what, "",
             "| data | LNN, estimated q̈ | LNN, discrete loss | baseline, estimated q̈ | HNN, estimated q̈ |",
             "|---|---|---|---|---|",
             "| true accelerations | " + cell(r["true|lnn|true"], energy) + " | – | "
             + cell(r["true|baseline|true"], energy) + " | " + cell(r["true|hnn|true"], energy) + " |"]
    for dt, noise in m["observations"]:
        key = f"dt{dt}-noise{noise}"
        row = [cell(r[f"{key}|{mo}|{me}"], energy) for mo, me in RUNS]
        smoothing = r[f"{key}|lnn|estimate"][0].get("data", {}).get("smoothing", {})
        lines.append(f"| dt {dt}, σ {noise:g} (window {2 * smoothing.get('half_width', 0) + 1}, "
                     f"degree {smoothing.get('degree', '?')}) | " + " | ".join(row) + " |")
    return "\n".join(lines)


INTRO = """# Learning from observed trajectories

Positions sampled in time, with no true accelerations: `lnn observe` samples the true system (50
trajectories of 10 s, from the paper's training distribution, seed 1) every dt with Gaussian noise σ
on the coordinates; `lnn train --data` learns from the file by each method (crates/lnn-core/src/observe),
holding every fifth trajectory out; `lnn eval` scores the model against the true system. The HNN is
in velocity coordinates: observed positions give no canonical momenta. The same settings for every
row, and the same networks trained on true accelerations in the first row.

- **estimated q̈**: q̇ and q̈ from a local polynomial fit at each sample, its window and degree chosen
  by leave-one-out cross-validation of the positions (the window is in each row's label), then the
  usual loss. Any model.
- **discrete loss**: the error of the next position predicted by the discrete Euler–Lagrange equation
  of the midpoint discrete Lagrangian from the two before it, over h²: no derivative estimates. LNN
  only (it needs L).
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--part", choices=["all", *PARTS], default="all")
    p.add_argument("--steps", type=int)
    p.add_argument("--jobs", type=int, default=2)
    a = p.parse_args()
    store = os.path.join(ROOT, "docs", "observed.json")
    measured = json.load(open(store)) if os.path.exists(store) else {}
    for part in PARTS if a.part == "all" else [a.part]:
        measured[part] = measure(part, a.steps or PARTS[part]["steps"], a.jobs)
        json.dump(measured, open(store, "w"), indent=1)
    doc = [INTRO] + [section(part, measured[part]) for part in PARTS if part in measured]
    with open(os.path.join(ROOT, "docs", "observed.md"), "w") as f:
        f.write("\n\n".join(doc) + "\n")


if __name__ == "__main__":
    main()
