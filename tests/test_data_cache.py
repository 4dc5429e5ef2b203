"""Package data are validated once per data hash (nitrolyte.data.cache), never once per process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nitrolyte import units
from nitrolyte.data import cache


def test_computed_once_then_read_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        return "abc"

    assert cache.once_per_data("k", compute) == "abc"
    assert cache.once_per_data("k", compute) == "abc"
    assert len(calls) == 1  # the second "process" read the file
    (path,) = tmp_path.glob("validated-*.json")
    assert json.loads(path.read_text())["raw_hash"] == cache.raw_hash()


def test_a_failed_validation_is_never_cached(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))

    def broken() -> str:
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        cache.once_per_data("k", broken)
    assert not list(tmp_path.glob("validated-*.json"))


@pytest.mark.parametrize("content", ["not json", '{"raw_hash": "other", "k": "stale"}', "[1]"])
def test_a_corrupt_or_stale_cache_file_is_recomputed(tmp_path: Path, monkeypatch,
                                                     content: str) -> None:
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    path = tmp_path / f"validated-{cache.raw_hash()[:32]}.json"
    path.write_text(content)
    assert cache.once_per_data("k", lambda: "fresh") == "fresh"


def test_unwritable_or_disabled_cache_still_works(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(cache.ENV_VAR, str(blocker / "sub"))  # mkdir fails: not a directory
    assert cache.once_per_data("k", lambda: "v") == "v"
    monkeypatch.setenv(cache.ENV_VAR, "off")
    assert cache.cache_dir() is None
    assert cache.once_per_data("k", lambda: "w") == "w"


def test_the_hash_changes_with_the_names_rules(monkeypatch) -> None:
    before = cache.raw_hash()
    cache.raw_hash.cache_clear()
    monkeypatch.setattr(cache, "NAMES_VERSION", -1)
    try:
        assert cache.raw_hash() != before
    finally:
        cache.raw_hash.cache_clear()


def test_constants_are_the_exact_si_values_scipy_holds() -> None:
    from scipy import constants as c

    ours = {"k": units.K_B, "e": units.E_CHARGE, "N_A": units.N_A, "kB_eV": units.K_B_EV,
            "F": units.FARADAY, "R": units.R_GAS}
    theirs = {"k": c.k, "e": c.e, "N_A": c.N_A,
              "kB_eV": c.physical_constants["Boltzmann constant in eV/K"][0],
              "F": c.physical_constants["Faraday constant"][0], "R": c.R}
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(value, rel=1e-15), name
