"""The environment `make run` gives its processes: the sentence encoder's threads are capped
before OpenMP starts, and idle threads sleep instead of spinning on the cores; a training of its
own uses every core."""

from __future__ import annotations

import os

from bot.config import load_settings
from bot.launcher import process_environment
from bot.training import training_environment


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


def test_a_training_of_its_own_embeds_on_every_core_unless_told_otherwise(monkeypatch):
    for name in ("OMP_NUM_THREADS", "S3M_ENCODER_THREADS"):
        monkeypatch.delenv(name, raising=False)
    environment = training_environment()
    cores = str(os.cpu_count())
    assert (environment["S3M_ENCODER_THREADS"], environment["OMP_NUM_THREADS"]) == (cores, cores)
    monkeypatch.setenv("S3M_ENCODER_THREADS", "1")
    environment = training_environment()
    assert (environment["S3M_ENCODER_THREADS"], environment["OMP_NUM_THREADS"]) == ("1", "1")
