"""The role's defaults/main.yml and meta/argument_specs.yml say the same thing."""

from pathlib import Path

import yaml

ROLE = Path(__file__).resolve().parents[2] / "roles" / "edx_api_access"


def load(relative):
    return yaml.safe_load((ROLE / relative).read_text())


def test_every_default_is_declared_with_the_same_value():
    defaults = load("defaults/main.yml")
    specs = load("meta/argument_specs.yml")["argument_specs"]
    for entry, spec in specs.items():
        for name, option in spec["options"].items():
            if "default" in option:
                assert name in defaults, f"{entry}: {name} has a default in argument_specs only"
                assert defaults[name] == option["default"], f"{entry}: {name} defaults differ"
            else:
                assert name not in defaults, f"{entry}: {name} has a default in defaults/main.yml only"
    declared = set().union(*(spec["options"] for spec in specs.values()))
    assert set(defaults) <= declared, f"undeclared defaults: {sorted(set(defaults) - declared)}"
