"""The weights file: every shipped file read and written again is the same file (the same JSON
value, numbers bit for bit, and here the same bytes); files from before the state layout was
recorded still load; bad files are refused naming the field, by Python and by ``lnn`` alike,
and the command line says so without a traceback."""

from __future__ import annotations

import copy
import json
import struct

import pytest

from conftest import MODELS, SHIPPED, run_lnn, run_python, write_states
from lnn_web import jsonfmt, weights
from lnn_web.errors import LnnError


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_file_round_trips_bit_for_bit(name):
    text = (MODELS / name).read_text()
    file = weights.WeightsFile.from_text(text)
    file.load()
    out = file.to_text()
    a, b = json.loads(text), json.loads(out)
    assert a == b
    assert [bits(x) for x in a["params"]] == [bits(x) for x in b["params"]]
    assert out == text, "written exactly as the Rust writes it"


def test_files_without_the_state_layout_still_load_and_round_trip():
    """Files written before `dof` and `conditioning` were recorded (every file before issue 17)."""
    value = json.loads((MODELS / "relativistic-lnn.json").read_text())
    for key in ("dof", "conditioning"):
        value.pop(key, None)
    file = weights.WeightsFile.from_value(value)
    spec = file.load()
    assert (spec.dof, spec.conditioning, spec.state_len()) == (1, 1, 3)
    assert json.loads(file.to_text()) == value


def test_the_layout_is_read_from_every_system():
    for name, layout in [("double-pendulum-lnn.json", (2, 0)), ("wave-graph-lnn.json", (100, 0)), ("relativistic-hnn-canonical.json", (1, 1))]:
        spec = weights.WeightsFile.from_text((MODELS / name).read_text()).load()
        assert (spec.dof, spec.conditioning) == layout
    value = json.loads((MODELS / "double-pendulum-lnn.json").read_text())
    value.update(system="custom", custom={"lagrangian": "x_dot^2/2 - x^2/2 + g*x", "coordinates": ["x", "y"], "conditioning": ["g"]}, dof=2, conditioning=1)
    value.update(wrap=[False] * 5, scale=[1.0] * 5, params=[0.0] * (5 * 64 + 64 + 64 * 64 + 64 + 64 + 1))
    assert weights.WeightsFile.from_value(value).load().state_len() == 5


def mutated(name: str, change) -> dict:
    value = copy.deepcopy(json.loads((MODELS / name).read_text()))
    change(value)
    return value


# (description, file, mutation, field named in both messages)
BAD = [
    ("format", "double-pendulum-lnn.json", lambda v: v.update(format="pickle"), "format"),
    ("version", "double-pendulum-lnn.json", lambda v: v.update(version=99), "version"),
    ("unknown system", "double-pendulum-lnn.json", lambda v: v.update(system="pendulum"), "system"),
    ("unknown model", "double-pendulum-lnn.json", lambda v: v.update(model="gpt"), "model"),
    ("unknown activation", "double-pendulum-lnn.json", lambda v: v.update(activation="gelu"), "activation"),
    ("relu LNN", "double-pendulum-lnn.json", lambda v: v.update(activation="relu"), "activation"),
    ("coordinates", "double-pendulum-lnn.json", lambda v: v.update(coordinates="polar"), "coordinates"),
    ("canonical LNN", "double-pendulum-lnn.json", lambda v: v.update(coordinates="canonical"), "coordinates"),
    ("a parameter short", "double-pendulum-lnn.json", lambda v: v["params"].pop(), "params"),
    ("a scale short", "double-pendulum-lnn.json", lambda v: v["scale"].pop(), "normalisation"),
    ("zero scale", "double-pendulum-lnn.json", lambda v: v["scale"].__setitem__(0, 0.0), "normalisation"),
    ("wrapped and asinh", "double-pendulum-lnn.json", lambda v: v.update(asinh=[True, False, False, False]), "normalisation"),
    ("solver", "double-pendulum-lnn.json", lambda v: v.update(solver="lu"), "solver"),
    ("rcond", "double-pendulum-lnn.json", lambda v: v.update(solver="pinv:2"), "rcond"),
    ("negative definiteness", "double-pendulum-lnn.json", lambda v: v.update(definiteness=-1.0), "definiteness"),
    ("precision", "double-pendulum-lnn.json", lambda v: v.update(precision="f16"), "precision"),
    ("dof", "double-pendulum-lnn.json", lambda v: v.update(dof=3), "dof"),
    ("linear beside a linear input", "relativistic-hnn-canonical.json", lambda v: v.update(linear=[0.3, 0.01, 0.0]), "normalisation"),
    ("linear short", "relativistic-hnn-canonical.json", lambda v: v.update(linear=[0.0, 0.01]), "normalisation"),
    ("weighting", "relativistic-lnn.json", lambda v: v.update(weighting="heavy"), "weighting"),
    ("conditioning", "relativistic-lnn.json", lambda v: v.update(conditioning=0), "conditioning"),
    ("grid too small", "wave-graph-lnn.json", lambda v: v.update(grid=2), "grid"),
    ("no hidden layer", "double-pendulum-lnn.json", lambda v: v.update(hidden=[]), "hidden"),
    ("zero width", "double-pendulum-lnn.json", lambda v: v.update(hidden=[64, 0]), "hidden"),
    ("custom on a named system", "double-pendulum-lnn.json", lambda v: v.update(custom={"lagrangian": "x", "coordinates": ["x"]}), "custom"),
    ("observed without its record", "double-pendulum-lnn.json", lambda v: v.update(system="observed"), "observed"),
    ("wrong type", "wave-graph-lnn.json", lambda v: v.update(grid="many"), "grid"),
    ("float for an integer", "double-pendulum-lnn.json", lambda v: v.update(step=1.5), "step"),
    ("negative integer", "double-pendulum-lnn.json", lambda v: v.update(seed=-1), "seed"),
    ("unknown field", "double-pendulum-lnn.json", lambda v: v.update(comment="hi"), "comment"),
    ("missing field", "double-pendulum-lnn.json", lambda v: v.pop("params"), "params"),
    ("string in the parameters", "double-pendulum-lnn.json", lambda v: v["params"].__setitem__(3, "x"), "params"),
]


@pytest.mark.parametrize("what,name,change,field", BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_naming_the_field_by_both(what, name, change, field, tmp_path):
    value = mutated(name, change)
    with pytest.raises(LnnError) as e:
        weights.WeightsFile.from_value(value).load()
    assert e.value.field == field and field in str(e.value), str(e.value)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(value))
    states = write_states(tmp_path / "s.json", [[0.0] * 4])
    rust = run_lnn("predict", "--model", path, "--states", states, check=False)
    assert rust.returncode == 2 and field in rust.stderr, f"lnn accepted {what}: {rust.stderr}"


@pytest.mark.parametrize(
    "text,needle",
    [
        ("[1, 2]", "JSON object"),
        ('{"format": "lnn-web-weights", "version": 1,', "line 1"),
        ('{"format": "lnn-web-weights", "version": NaN}', "NaN"),
        ('{"format": "lnn-web-weights", "format": "x"}', "duplicate field `format`"),
        ('{"format": "lnn-web-weights", "version": 1e999}', "out of range"),
    ],
)
def test_text_that_is_not_a_weights_file_is_refused(text, needle):
    with pytest.raises(LnnError) as e:
        weights.WeightsFile.from_text(text)
    assert needle in str(e.value)


def predict_in_process(capsys, *args) -> tuple[int, str, str]:
    """``python -m lnn_web predict ARGS`` in this interpreter: (exit code, stdout, stderr)."""
    from lnn_web.__main__ import main

    code = main(["predict", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_line_reports_bad_files_without_a_traceback(tmp_path, capsys):
    """Exit code 2 and ``error: ...`` on stderr; one real subprocess, the rest in-process."""
    states = write_states(tmp_path / "s.json", [[1.0, 2.0, 0.0, 0.0]])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(mutated("double-pendulum-lnn.json", lambda v: v.update(hidden=[64, 65]))))
    cases = [
        (["--model", tmp_path / "missing.json", "--states", states], "cannot read"),
        (["--model", bad, "--states", states], "`params`"),
        (["--model", MODELS / "double-pendulum-lnn.json", "--states", tmp_path / "nope.json"], "cannot read"),
        (["--model", MODELS / "double-pendulum-lnn.json"], "--states FILE is required"),
        (["--model", MODELS / "double-pendulum-lnn.json", "--states", states, "--frobnicate", "1"], "unknown flag --frobnicate"),
        (["--model", MODELS / "double-pendulum-lnn.json", "--states", states, "--system", "harmonic"], "not both"),
    ]
    p = run_python("-m", "lnn_web", "predict", *cases[1][0])
    assert p.returncode == 2 and p.stdout == "" and p.stderr.startswith("error: ") and "`params`" in p.stderr
    assert "Traceback" not in p.stderr
    for args, needle in cases:
        code, out, err = predict_in_process(capsys, *args)
        assert code == 2 and out == "", (args, out, err)
        assert err.startswith("error: ") and needle in err, err


@pytest.mark.parametrize(
    "content,needle",
    [
        ("[[1.0, 2.0, 0.0]]", "state 0 has 3 numbers, double-pendulum needs 4"),
        ("[[1.0, 2.0, NaN, 0.0]]", "`NaN` is not a number JSON allows"),
        ("[[1.0, 2.0, nan, 0.0]]", "`nan` is not a number JSON allows"),
        ("[[1.0, 2.0, 1e999, 0.0]]", "state 0, number 2 is not finite"),
        ('{"q": 1}', "expected a JSON array of arrays of numbers"),
        ("[[1.0, 2.0", "expected a JSON array of arrays of numbers"),
    ],
)
def test_bad_states_files_are_refused_as_lnn_refuses_them(content, needle, tmp_path, capsys):
    states = tmp_path / "s.json"
    states.write_text(content)
    code, _, err = predict_in_process(capsys, "--model", MODELS / "double-pendulum-lnn.json", "--states", states)
    rust = run_lnn("predict", "--model", MODELS / "double-pendulum-lnn.json", "--states", states, check=False)
    assert code == rust.returncode == 2
    assert needle in err, err


def test_numbers_are_written_as_serde_json_writes_them(tmp_path):
    """Every formatting regime of serde_json's floats (decimal, leading zeros down to 1e-5,
    exponent with sign and no padding, `.0` on whole numbers) against the binary's own output."""
    qs = [1e-7, 1.5e-5, 1e-5, 9.9e-6, 0.00012, 0.1, 123.456, 1e15, 9999999999999998.0, 1e16, 1.5e16, 1e21, 1.2345678901234568e20, 2.2250738585072014e-308, -0.0, 5e-324]
    states = write_states(tmp_path / "h.json", [[q, 0.0] for q in qs])
    text = run_lnn("predict", "--system", "harmonic", "--states", states).stdout
    assert jsonfmt.dumps(json.loads(text)) + "\n" == text
