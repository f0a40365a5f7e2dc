"""Benchmark candidates as edits of config.yml, so that each one differs from it only where it says.

A candidate file (`benchmarks/configs/<name>.yml`) lists edits of config.yml's NLU pipeline:

    edits:
      - match: {name: DIETClassifier}          # the one component whose settings include these
        set: {epochs: 100, dense_dimension: null}   # change settings; null: back to Rasa's default
      - match: {name: CountVectorsFeaturizer, analyzer: char_wb}
        remove: true                           # drop the component
      - match: {name: WhitespaceTokenizer}
        replace: [{name: SpacyNLP, model: "blank:xx"}, {name: SpacyTokenizer}]   # put these in its place

In `match`, a setting given as null matches a component that does not set it. Each edit must match
exactly one component: when config.yml changes under a candidate, the benchmark stops with the
edit that no longer applies instead of measuring something else. Full copies of config.yml drifted
from it unnoticed; edits cannot.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

OPERATIONS = ("set", "remove", "replace")


class CandidateError(ValueError):
    """A candidate's edit is malformed or does not match exactly one pipeline component."""


def apply_edits(config: dict[str, Any], candidate: dict[str, Any], source: str = "candidate") -> dict[str, Any]:
    """config.yml's content with the candidate's edits made, in order; `config` is left as it was."""
    result = copy.deepcopy(config)
    pipeline: list[dict[str, Any]] = result["pipeline"]
    for number, edit in enumerate(candidate.get("edits") or [], start=1):
        where = f"{source}: edit {number}"
        operations = [name for name in OPERATIONS if name in edit]
        if not isinstance(edit.get("match"), dict) or len(operations) != 1 or set(edit) - {"match", *OPERATIONS}:
            raise CandidateError(f"{where}: needs `match` and one of {', '.join(OPERATIONS)}, got {sorted(edit)}")
        matches = [i for i, component in enumerate(pipeline) if _matches(component, edit["match"])]
        if len(matches) != 1:
            raise CandidateError(f"{where}: {edit['match']} matches {len(matches)} components of the pipeline, not 1")
        [index] = matches
        if "set" in edit:
            for key, value in edit["set"].items():
                if value is None:
                    pipeline[index].pop(key, None)
                else:
                    pipeline[index][key] = copy.deepcopy(value)
        elif "remove" in edit:
            if edit["remove"] is not True:
                raise CandidateError(f"{where}: `remove` takes `true`, got {edit['remove']!r}")
            del pipeline[index]
        else:
            pipeline[index:index + 1] = copy.deepcopy(edit["replace"])
    return result


def _matches(component: dict[str, Any], match: dict[str, Any]) -> bool:
    return all(component.get(key) == value if value is not None else key not in component
               for key, value in match.items())


def write_candidate_config(candidate_path: Path, base_path: Path, out_dir: Path) -> Path:
    """Write config.yml with the candidate's edits as `<out_dir>/<candidate name>.yml`, for `rasa train`."""
    config = yaml.safe_load(base_path.read_text(encoding="utf-8"))
    candidate = yaml.safe_load(candidate_path.read_text(encoding="utf-8")) or {}
    out = out_dir / f"{candidate_path.stem}.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(apply_edits(config, candidate, str(candidate_path)), sort_keys=False,
                                  allow_unicode=True), encoding="utf-8")
    return out
