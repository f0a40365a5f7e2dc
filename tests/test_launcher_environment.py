"""The environment `make run` gives its processes: the sentence encoder's threads are capped
before OpenMP starts, and idle threads sleep instead of spinning on the cores."""

from __future__ import annotations

from bot.config import load_settings
from bot.launcher import process_environment


def test_the_encoder_threads_follow_the_setting_and_sleep_when_idle(monkeypatch):
    for name in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "S3M_ENCODER_THREADS"):
        monkeypatch.delenv(name, raising=False)
    environment = process_environment(load_settings())
    assert (environment["OMP_NUM_THREADS"], environment["OMP_WAIT_POLICY"]) == ("1", "PASSIVE")
    monkeypatch.setenv("S3M_ENCODER_THREADS", "2")
    assert process_environment(load_settings())["OMP_NUM_THREADS"] == "2"


def test_an_operators_openmp_settings_are_kept(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    environment = process_environment(load_settings())
    assert (environment["OMP_NUM_THREADS"], environment["OMP_WAIT_POLICY"]) == ("4", "ACTIVE")
