"""Profiles: every threshold and convention of the audit, as data.

``national`` ships with evaltools (``profiles/national.toml``). A user passes a profile name, a
TOML/YAML file, a dict, or a ``Profile``; it is merged over ``national`` key by key, so a file need
only hold what it changes. Unknown keys raise ``ProfileError``: a typo must not silently leave a
threshold at its default.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import EvaltoolsError, ProfileError  # noqa: F401 - re-exported

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Profile:
    name: str
    data: dict = field(repr=False)

    def __getitem__(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            node = node[part]
        return node

    def get(self, dotted: str, default: Any = None) -> Any:
        try:
            return self[dotted]
        except (KeyError, TypeError):
            return default

    @property
    def title(self) -> str:
        """The profile's name for readers (国家通用口径 …): its ``title``, set by ``load_profile``."""
        return str(self.data.get("title") or self.data.get("description") or self.name)

    @property
    def disabled(self) -> frozenset[str]:
        return frozenset(self.data["rules"]["disabled"])

    def severity_of(self, rule_id: str, default: str) -> str:
        return self.data["rules"].get("severity", {}).get(rule_id, default)

    def grade(self, total: float | None) -> str:
        """The grade (优/良/中/差) of a total score under this profile's bands."""
        if total is None or total != total:
            return ""
        for name, bound in sorted(self.data["grades"].items(), key=lambda kv: -kv[1]):
            if total >= bound - 1e-9:
                return name
        return ""


def _national_data() -> dict:
    text = resources.files("evaltools").joinpath("profiles", "national.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _read_file(path: Path) -> dict:
    if not path.exists():
        raise ProfileError(f"profile file not found: {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as exc:  # pragma: no cover - pyyaml is optional
            raise ProfileError("YAML profiles need PyYAML (pip install pyyaml); TOML needs nothing") from exc
        data = yaml.safe_load(text) or {}
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"{path}: not valid TOML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: a profile is a table of settings")
    return data


# Tables whose keys are free (any grade name, any rule id) rather than fixed settings.
_FREE_TABLES = {("grades",), ("rules", "severity")}


def _merge(base: dict, over: dict, path: tuple = ()) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        here = path + (key,)
        name = ".".join(here)
        if here in _FREE_TABLES:
            if not isinstance(value, dict):
                raise ProfileError(f"profile setting {name!r} must be a table")
            # a user's grade bands replace the national ones; severity overrides add up
            out[key] = dict(value) if here == ("grades",) else {**base.get(key, {}), **value}
            continue
        if key not in base:
            raise ProfileError(f"unknown profile setting {name!r}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ProfileError(f"profile setting {name!r} must be a table")
            out[key] = _merge(base[key], value, here)
        else:
            out[key] = value
    return out


def builtin_profiles() -> tuple[str, ...]:
    """The profiles that ship with evaltools (``profiles/*.toml``), by name."""
    return tuple(sorted(p.name[:-5] for p in resources.files("evaltools.profiles").iterdir()
                        if p.name.endswith(".toml")))


def profile_for(convention) -> str:
    """The built-in profile that fits a form's scoring convention (``exec-20`` → ``exec20``)."""
    tokens = set(convention)
    if "four-part" in tokens:
        return "four_part"
    if "exec-20" in tokens:
        return "exec20"
    other = [t for t in tokens if t.startswith("exec-") and t[5:].replace(".", "", 1).isdigit() and t != "exec-10"]
    if other:
        return other[0].replace("-", "")  # exec-15 → exec15: national with execution out of 15 (see load_profile)
    return "national"


def load_profile(profile: str | Path | dict | Profile | None = "national", **overrides: Any) -> Profile:
    """Resolve a profile: ``"national"``, a path to a TOML/YAML file, a dict, or a ``Profile``."""
    if isinstance(profile, Profile):
        base, name = profile.data, profile.name
        over: dict = {}
    else:
        base, name = _national_data(), "national"
        if profile is None or profile in ("national", "auto"):
            over = {}
        elif isinstance(profile, str) and profile in builtin_profiles():
            text = resources.files("evaltools.profiles").joinpath(f"{profile}.toml").read_text(encoding="utf-8")
            over, name = tomllib.loads(text), profile
        elif isinstance(profile, str) and re.fullmatch(r"exec\d+(\.\d+)?", profile):
            # execution out of n points: the indicators' split is the province's own
            n = float(profile[4:])
            w = _national_data()["weights"]
            over = {"weights": {"execution": n, "output": w["total"] - n - w["benefit"] - w["satisfaction"],
                                "check_split": False}}
            name = profile
        elif isinstance(profile, dict):
            over, name = profile, str(profile.get("name", "custom"))
        elif isinstance(profile, (str, Path)) and (Path(profile).suffix.lower() in (".toml", ".yaml", ".yml")
                                                   or Path(profile).exists()):
            over = _read_file(Path(profile))
            name = str(over.get("name", Path(profile).stem))
        else:
            raise ProfileError(f"unknown profile {profile!r}: use 'national', a .toml/.yaml file or a dict")
    data = _merge(base, over)
    if not isinstance(profile, Profile):
        # national's title must not name a profile that is not national: a user's profile without
        # a title of its own is named by its own description, else by its name
        data["title"] = str(over.get("title") or over.get("description") or _generated_title(name) or name)
    if overrides:
        data = _merge(data, overrides)
    _validate(data)
    return Profile(name=name, data=data)


def _generated_title(name: str) -> str:
    if name == "national":
        return str(_national_data().get("title", ""))
    m = re.fullmatch(r"exec(\d+(?:\.\d+)?)", name)
    return f"预算执行率{float(m.group(1)):g}分口径" if m else ""


def _validate(data: dict) -> None:
    for rid, sev in data["rules"].get("severity", {}).items():
        if sev not in SEVERITIES:
            raise ProfileError(f"rules.severity.{rid}: {sev!r} is not one of {', '.join(SEVERITIES)}")
    if data["scoring"]["negative_formula"] not in ("ratio", "linear"):
        raise ProfileError("scoring.negative_formula must be 'ratio' or 'linear'")
    w = data["weights"]
    if abs(w["execution"] + w["output"] + w["benefit"] + w["satisfaction"] - w["total"]) > 1e-9:
        raise ProfileError("weights: execution + output + benefit + satisfaction must equal total")
    for band, (lo, hi) in data["scoring"]["qualitative"].items():
        if not 0 <= lo <= hi <= 1:
            raise ProfileError(f"scoring.qualitative.{band} must be [low, high] within [0, 1]")
