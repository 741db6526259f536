"""The equivariant route to addition mod p (benchmarks.modular_equivariant)."""

import json

import numpy as np
import pytest

from benchmarks import modular_equivariant as route
from benchmarks.modular_model import modular_data
from layers.equivariance import equivariance_error


def _answer(a_plus_b, p):
    """The one-hot answer of ``(batch, 2p)`` one-hot pairs, combined by ``a_plus_b``."""

    def fn(x):
        x = np.asarray(x)
        a, b = x[:, :p].argmax(1), x[:, p:].argmax(1)
        return np.eye(p)[a_plus_b(a, b) % p]

    return fn


def test_the_answer_transforms_through_the_sum_homomorphism():
    """c = a + b is equivariant for the pulled-back answer rep; c = a - b is not."""
    p = 7
    group, rep_in, rep_out, hidden = route.addition_reps(p)
    x = route.one_hot_pairs(modular_data(p, 0.5, 0).tokens, p)
    right = equivariance_error(_answer(np.add, p), rep_in, rep_out, group, x=x)
    wrong = equivariance_error(_answer(np.subtract, p), rep_in, rep_out, group, x=x)
    assert right == 0.0 and wrong > 0.5
    assert hidden.size() == 2 * p + p * p


def test_cli_emlp_generalises_from_four_pairs_and_the_mlp_does_not(tmp_path):
    out = tmp_path / "route.json"
    transformer = tmp_path / "modular.json"
    transformer.write_text(json.dumps([{"benchmark": "modular", "part": "transformer",
        "config": {"p": 7, "frac": 0.1}, "final": {"test_acc": 0.5}, "steps_run": 9}]))  # fmt: skip
    argv = ["--p", "7", "--fractions", "0.1", "--seeds", "1", "--steps", "40", "--no-progress"]
    argv += ["--figures", str(tmp_path), "--transformer", str(transformer)]
    record = route.main([*argv, "--out", str(out)])
    assert (tmp_path / "modular_route.png").stat().st_size > 0
    (saved,) = json.loads(out.read_text())
    assert saved["table"] == record["table"]
    rows = {row["model"]: row for row in saved["rows"]}
    assert set(rows) == set(route.MODELS) and rows["emlp"]["n_train"] == 4  # of 49 pairs
    emlp, mlp = rows["emlp"], rows["mlp_long"]
    assert emlp["train_acc"] == 1.0 and emlp["test_acc"] == 1.0
    assert emlp["equivariance_error"] < 1e-5
    assert mlp["train_acc"] == 1.0 and mlp["test_acc"] < 0.5 and mlp["steps"] == 25 * 40
    assert emlp["num_params"] < mlp["num_params"]
    (entry,) = saved["table"]
    assert entry["transformer"]["mean"] == 0.5 and entry["emlp"]["mean"] == 1.0
    assert "emlp" in route.format_table(saved["table"])


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--p", "9"], "prime"),
        (["--fractions", "1.5"], "--fractions"),
        (["--fractions", "0.3", "0.3"], "--fractions"),
        (["--seeds", "0"], "--seeds"),
    ],
)
def test_bad_command_lines_exit_with_status_2(argv, match, capsys):
    with pytest.raises(SystemExit) as exit_info:
        route.parse_args(argv)
    assert exit_info.value.code == 2
    assert match in capsys.readouterr().err


def test_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        route.RouteConfig(steps=0)
    with pytest.raises(TypeError, match="lr"):
        route.RouteConfig(lr="fast")
    data = modular_data(5, 0.4, 0)
    with pytest.raises(ValueError, match="kind"):
        route.train_route("cnn", data, route.RouteConfig(p=5))
    with pytest.raises(ValueError, match="same p"):
        route.train_route("emlp", data, route.RouteConfig(p=7))
