"""A model is reused until its training inputs change (bot.training)."""

from pathlib import Path

from bot.training import fingerprint, model_path, training_inputs


def make_project(root: Path) -> list[Path]:
    (root / "data").mkdir()
    (root / "nlu_data" / "en").mkdir(parents=True)
    files = {
        "config.yml": "pipeline: []",
        "domain.yml": "intents: [greet]",
        "data/rules.yml": "rules: []",
        "nlu_data/en/basics.yml": "nlu: []",
        "bot/nlu/detector.py": "CODE = 1",
    }
    (root / "bot" / "nlu").mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return training_inputs(root)


def test_fingerprint_is_stable_and_changes_with_any_input(tmp_path):
    files = make_project(tmp_path)
    assert [p.name for p in files] == ["config.yml", "domain.yml", "rules.yml", "basics.yml", "detector.py"]
    first = fingerprint(files, tmp_path)
    assert fingerprint(files, tmp_path) == first
    (tmp_path / "nlu_data/en/basics.yml").write_text("nlu: [x]")
    second = fingerprint(files, tmp_path)
    assert second != first
    (tmp_path / "bot/nlu/detector.py").write_text("CODE = 2")
    assert fingerprint(files, tmp_path) != second


def test_fingerprint_changes_when_a_file_is_added(tmp_path):
    files = make_project(tmp_path)
    first = fingerprint(files, tmp_path)
    (tmp_path / "nlu_data/en/faq.yml").write_text("nlu: []")
    assert fingerprint(training_inputs(tmp_path), tmp_path) != first


def test_model_path_names_the_fingerprint(tmp_path):
    files = make_project(tmp_path)
    path = model_path(tmp_path / "models", tmp_path)
    assert path == tmp_path / "models" / f"s3martmed-{fingerprint(files, tmp_path)}.tar.gz"


def test_the_projects_training_leaves_the_data_check_to_make_validate(tmp_path, monkeypatch):
    """`make validate` fails on any warning before `make train`; Rasa's own check only logs them."""
    import bot.training

    commands = []
    monkeypatch.setattr(bot.training.subprocess, "run", lambda command, **_: commands.append(command))
    bot.training.train(tmp_path / "models" / "m.tar.gz")
    assert "--skip-validation" in commands[0]
    retraining = bot.training.train_command(tmp_path / "m.tar.gz", tmp_path / "config.yml", [tmp_path], tmp_path)
    assert "--skip-validation" not in retraining  # an admin's retraining data is checked as it trains
