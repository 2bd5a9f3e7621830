"""`.micromoment/config.yaml`: which checklists changes trigger, sign-off and hook policy."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from micromoment.checklists import DEFAULT_CHECKLIST, Catalog, pattern_problem
from micromoment.checklists.packs import pin_problem
from micromoment.detect.table import builtin_ids, regex_problem
from micromoment.errors import FileProblems, MicromomentError, Problem
from micromoment.locations import Project, display_path
from micromoment.validation import Slug, StrictModel, Text, validate
from micromoment.yamlio import Located, PathKey, read_yaml


class ChecklistPolicy(StrictModel):
    """How one checklist applies in this repository."""

    enabled: bool = Field(
        default=True, description="false: changes never trigger it (it can still be run by hand)."
    )
    applies_to: list[Text] | None = Field(
        default=None, description="Replaces the checklist's own path patterns."
    )
    also_applies_to: list[Text] = Field(
        default_factory=list, description="Patterns added to the checklist's own."
    )
    signoffs: int = Field(
        default=0, ge=0, description="Sign-offs by a second person a review needs before it counts."
    )
    applies_when: list[Slug] | None = Field(
        default=None, description="Replaces the checklist's own content detectors ([] for none)."
    )


class DetectorPolicy(StrictModel):
    """One content detector in this repository: a built-in one switched off or extended, or the team's own."""

    enabled: bool = Field(default=True, description="false: it never finds anything, so it triggers nothing.")
    description: Text | None = Field(default=None, description="What the team's own detector finds.")
    patterns: list[Text] = Field(
        default_factory=list,
        description="Regular expressions (Python syntax) matched against each added or removed line, in any language.",
    )

    @field_validator("patterns")
    @classmethod
    def _usable(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if problem := regex_problem(pattern):
                raise ValueError(problem)
        return patterns


class HookPolicy(StrictModel):
    """What the commit hook does when a triggered check has no record."""

    on_missing: Literal["block", "warn"] = Field(
        default="block", description="block: stop the commit; warn: let it through with a warning."
    )


class SamplesPolicy(StrictModel):
    """Where `micromoment sample` finds model outputs when no file is named."""

    outputs: Text | None = Field(
        default=None,
        description="A path or glob relative to the repository root, e.g. evals/results-*.jsonl; "
        "the newest matching file is sampled.",
    )

    @field_validator("outputs")
    @classmethod
    def _inside_the_repository(cls, value: str | None) -> str | None:
        if value is not None and (PurePosixPath(value).is_absolute() or ".." in PurePosixPath(value).parts):
            raise ValueError("must be a path or glob inside the repository, e.g. evals/*.jsonl")
        return value


class PackPin(StrictModel):
    """The pack the gate judges by: an installed Python package at a version, or a git
    repository at a commit (fetched by `micromoment pack sync`)."""

    version: Text | None = Field(default=None, description='The installed pack\'s version, e.g. "1.4.0".')
    git: Text | None = Field(
        default=None, description="The URL (or path) of a git repository with checklist files at its top."
    )
    tag: Text | None = Field(
        default=None, description="The tag sync fetches; refused if it no longer points at commit."
    )
    commit: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")] | None = Field(
        default=None, description="The full commit id a git pack is pinned to."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> PackPin:
        if (self.version is None) == (self.git is None):
            raise ValueError("name either version (an installed pack) or git and commit (a git repository)")
        if self.git is not None and self.commit is None:
            raise ValueError(
                "a git pack needs commit: the full commit id it is pinned to (a tag alone can move)"
            )
        if self.version is not None and (self.tag or self.commit):
            raise ValueError("tag and commit are for git packs; an installed pack is pinned by version")
        return self


class Config(StrictModel):
    """The whole config file; every key is optional."""

    version: Literal[1] = Field(default=1, description="Format version of this file.")
    default_checklist: Slug = Field(
        default=DEFAULT_CHECKLIST, description="The checklist `micromoment review` runs when none is named."
    )
    reviews_dir: Text = Field(
        default=".micromoment/reviews",
        description="Where records are written, relative to the repository root.",
    )
    checklists: dict[Slug, ChecklistPolicy] = Field(
        default_factory=dict, description="Per-checklist policy, by checklist id."
    )
    hook: HookPolicy = Field(default_factory=HookPolicy)
    policy_changes: Slug | None = Field(
        default="team-review",
        description="The checklist a change to this file or to .micromoment/checklists/ calls for; "
        "null: such changes call for none.",
    )
    require_signed_commits: bool = Field(
        default=False,
        description="A sign-off counts only when the commit that added it passes git verify-commit.",
    )
    base_branch: Text | None = Field(
        default=None,
        description="The branch changes are merged into; by default the upstream's default branch, "
        "else init.defaultBranch, else main or master.",
    )
    samples: SamplesPolicy = Field(default_factory=SamplesPolicy)
    detectors: dict[Slug, DetectorPolicy] = Field(
        default_factory=dict,
        description="Content detectors by id: switch a built-in one off, add patterns, or add the team's own.",
    )
    packs: dict[Slug, PackPin] | None = Field(
        default=None,
        description="Every pack the gate may use, by name, with the version or commit it must be; "
        "check, the hook and review refuse any other.",
    )

    @field_validator("reviews_dir")
    @classmethod
    def _inside_the_repository(cls, value: str) -> str:
        path = PurePosixPath(value.strip())
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ValueError("must be a folder inside the repository, e.g. .micromoment/reviews")
        # `./x/` and `x` name one folder; git names it `x`, and so must every comparison with git's paths.
        return str(path)

    def policy(self, checklist_id: str) -> ChecklistPolicy:
        return self.checklists.get(checklist_id, ChecklistPolicy())

    def detector_ids(self) -> list[str]:
        """Every detector a checklist may name: the built-in ones and the team's own."""
        return list(dict.fromkeys([*builtin_ids(), *self.detectors]))


def read_config(project: Project) -> tuple[Config, Located | None]:
    """The project's config with its positions (None when the file does not exist)."""
    if not project.config_path.exists():
        return Config(), None
    return read_config_file(project.config_path)


def read_config_file(path: Path) -> tuple[Config, Located]:
    located = read_yaml(path, display_path(path))
    if not isinstance(located.data, dict):
        raise FileProblems([located.problem((), "must be a mapping of settings (see micromoment init)")])
    return validate(Config, located), located


def config_problems(config: Config, located: Located, catalog: Catalog) -> list[Problem]:
    """What the config says about checklists that do not exist, and patterns that do not parse."""
    known = ", ".join(catalog.ids())

    def unknown(loc: PathKey, checklist_id: str, *, key: bool = False) -> Problem:
        return located.problem(loc, f"no checklist {checklist_id!r}; use one of {known}", key=key)

    named = {"default_checklist": config.default_checklist, "policy_changes": config.policy_changes}
    problems = [unknown((field,), value) for field, value in named.items() if value and value not in catalog]
    for checklist_id, policy in config.checklists.items():
        if checklist_id not in catalog:
            problems.append(unknown(("checklists", checklist_id), checklist_id, key=True))
        for field in ("applies_to", "also_applies_to"):
            for index, pattern in enumerate(getattr(policy, field) or []):
                if message := pattern_problem(pattern):
                    problems.append(located.problem(("checklists", checklist_id, field, index), message))
        for index, detector in enumerate(policy.applies_when or []):
            if detector not in config.detector_ids():
                where = ("checklists", checklist_id, "applies_when", index)
                problems.append(located.problem(where, _unknown_detector(detector, config)))
    for detector, own in config.detectors.items():
        if detector not in builtin_ids() and not own.patterns:
            words = "a detector of the team's own needs patterns"
            problems.append(located.problem(("detectors", detector), words, key=True))
    return problems


def _unknown_detector(detector: str, config: Config) -> str:
    return f"no detector {detector!r}; use one of {', '.join(config.detector_ids())}, or define it under detectors"


def detector_problems(config: Config, catalog: Catalog) -> list[Problem]:
    """Checklists that name a detector neither built in nor defined in the config. A built-in one
    names only built-in detectors (a test holds them to it), so it is not read for this."""
    return [
        Problem(display_path(entry.path), None, None, "applies_when", _unknown_detector(detector, config))
        for entry in catalog
        if entry.source != "built-in"
        for detector in entry.checklist.applies_when
        if detector not in config.detector_ids()
    ]


def default_outputs(project: Project, config: Config) -> Path | None:
    """The newest file `samples.outputs` names (a path or a glob), or None."""
    pattern = config.samples.outputs
    if not pattern:
        return None
    if not any(char in pattern for char in "*?["):
        path = project.root / pattern
        return path if path.is_file() else None
    found = [path for path in project.root.glob(pattern) if path.is_file()]
    return max(found, key=lambda path: (path.stat().st_mtime_ns, str(path))) if found else None


def load_config(project: Project, catalog: Catalog, pinned: bool = False) -> Config:
    """The config, checked against the catalog; defaults when there is no file. `pinned`: refused
    when the packs found are not those it pins (a review by other checklists than the gate's
    would not count there)."""
    config, located = read_config(project)
    problems = detector_problems(config, catalog)
    if located is not None:
        problems += config_problems(config, located, catalog)
    if problems:
        raise FileProblems(problems)
    mismatch = pin_problem(config.model_dump()["packs"], catalog.packs) if pinned else None
    if mismatch:
        raise MicromomentError(mismatch)
    return config
