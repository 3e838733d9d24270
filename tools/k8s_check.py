"""Offline validation of the Kubernetes manifests (k8s/), run by k8s/check.sh.

For each overlay: render it with kubectl's kustomize; validate every built-in object strictly
(unknown fields are errors) against the Kubernetes schemas that kubernetes-validate ships;
validate the custom resources it knows a schema for (cert-manager, Prometheus Operator)
strictly against models generated from those projects' CRDs, and name the ones it cannot;
require every container image by digest; run checkov with the waivers in k8s/checkov.yaml.
Besides: the catalogue and calendar files the ConfigMaps carry are the packaged ones. Any error fails.

    .venv-k8s/bin/python tools/k8s_check.py --kubectl .venv/bin/kubectl --checkov .venv-k8s/bin/checkov
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "k8s"
OVERLAYS = ("dev", "production")
KUBERNETES_VERSION = "1.37.0"
CATALOGUE = {"rules.yaml", "measures.yaml"}

# Custom resources validated against their CRD's schema (models generated from the CRDs of
# cert-manager 1.17 and the Prometheus Operator 0.80; the fields used here are unchanged since).
# Kinds not here are custom resources no registry package ships a schema for: listed, not validated.
NOT_VALIDATED = {
    ("postgresql.cnpg.io/v1", "Cluster"):
        "no package on the registries ships CloudNativePG's CRD schema; checked by the operator's "
        "admission webhook at apply time",
}


def crd_models():
    from cloudcoil.models.cert_manager import v1 as cert_manager
    from cloudcoil.models.prometheus_operator import v1 as prometheus_operator

    return {
        ("cert-manager.io/v1", "Certificate"): cert_manager.Certificate,
        ("cert-manager.io/v1", "Issuer"): cert_manager.Issuer,
        ("monitoring.coreos.com/v1", "PrometheusRule"): prometheus_operator.PrometheusRule,
    }


def render(kubectl: str, overlay: str) -> str:
    done = subprocess.run([kubectl, "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{overlay}: kustomize failed:\n{done.stderr}")
    return done.stdout


def name_of(doc: dict) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def unknown_keys(given, kept, path="") -> list[str]:
    """Keys in ``given`` that the model dropped (it ignores what it does not know)."""
    found = []
    if isinstance(given, dict) and isinstance(kept, dict):
        for key, value in given.items():
            if key not in kept:
                found.append(f"{path}.{key}".lstrip("."))
            else:
                found += unknown_keys(value, kept[key], f"{path}.{key}")
    elif isinstance(given, list) and isinstance(kept, list):
        for index, (a, b) in enumerate(zip(given, kept)):
            found += unknown_keys(a, b, f"{path}[{index}]")
    return found


def validate_custom(doc: dict, models) -> list[str]:
    model = models[(doc["apiVersion"], doc["kind"])]
    try:
        parsed = model.model_validate(doc)
    except Exception as exc:  # pydantic's ValidationError lists every problem
        return [f"{name_of(doc)}: {exc}"]
    kept = parsed.model_dump(by_alias=True, exclude_unset=True, mode="json")
    return [f"{name_of(doc)}: {key}: is not a field of {doc['kind']}" for key in unknown_keys(doc, kept)]


def validate_builtin(doc: dict) -> list[str]:
    import kubernetes_validate

    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{name_of(doc)}: {'.'.join(str(p) for p in exc.path) or '(top)'}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [f"{name_of(doc)}: {exc.message}"]
    return []


def images_by_digest(doc: dict) -> list[str]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    problems = []
    for container in spec.get("initContainers", []) + spec.get("containers", []):
        if "@sha256:" not in container.get("image", ""):
            problems.append(f"{name_of(doc)}: container {container['name']}: image {container.get('image')!r} is not by digest")
    return problems


def check_overlay(kubectl: str, checkov: str, overlay: str, models, out: Path) -> tuple[list[str], list[str]]:
    text = render(kubectl, overlay)
    rendered = out / f"{overlay}.yaml"
    rendered.write_text(text)
    errors, unvalidated = [], []
    docs = [d for d in yaml.safe_load_all(text) if d]
    for doc in docs:
        key = (doc.get("apiVersion"), doc.get("kind"))
        if key in models:
            errors += validate_custom(doc, models)
        elif key in NOT_VALIDATED:
            unvalidated.append(f"{name_of(doc)} ({key[0]}): {NOT_VALIDATED[key]}")
        else:
            errors += validate_builtin(doc)
        errors += images_by_digest(doc)
    print(f"== {overlay}: {len(docs)} objects rendered, {len(docs) - len(unvalidated)} validated against schemas")
    done = subprocess.run([checkov, "--config-file", str(K8S / "checkov.yaml"), "-f", str(rendered)],
                          capture_output=True, text=True)
    summary = [line for line in done.stdout.splitlines() if "Passed checks" in line or "FAILED" in line or "Check:" in line]
    print("\n".join(f"   checkov: {line.strip()}" for line in summary if "Passed checks" in line))
    if done.returncode != 0:
        errors.append(f"checkov failed on {overlay}:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")
    return [f"{overlay}: {e}" for e in errors], unvalidated


def check_catalogue() -> list[str]:
    packaged = ROOT / "libs" / "secondline" / "data" / "config"
    return [f"k8s/base/common/{name} differs from {packaged.relative_to(ROOT)}/{name}: copy it again"
            for name in sorted(CATALOGUE) if not filecmp.cmp(packaged / name, K8S / "base" / "common" / name, shallow=False)]


def check_calendar() -> list[str]:
    """The objection-calendar ConfigMap's year files are the packaged ones, every year of them."""
    packaged, copies = ROOT / "libs" / "secondline" / "data" / "calendar", K8S / "base" / "objection" / "calendar"
    there = {p.name for p in packaged.glob("*.yaml")}
    here = {p.name for p in copies.glob("*.yaml")}
    listed = set()
    for generator in yaml.safe_load((copies.parent / "kustomization.yaml").read_text())["configMapGenerator"]:
        if generator["name"] == "objection-calendar":
            listed = {Path(f).name for f in generator["files"]}
    where = copies.relative_to(ROOT)
    errors = [f"{where}/{name} is missing: copy it from {packaged.relative_to(ROOT)}" for name in sorted(there - here)]
    errors += [f"{where}/{name} is not in {packaged.relative_to(ROOT)}: remove it" for name in sorted(here - there)]
    errors += [f"{where}/{name} differs from {packaged.relative_to(ROOT)}/{name}: copy it again"
               for name in sorted(there & here) if not filecmp.cmp(packaged / name, copies / name, shallow=False)]
    errors += [f"{where}/../kustomization.yaml: objection-calendar does not list calendar/{name}" for name in sorted(there - listed)]
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubectl", default="kubectl")
    parser.add_argument("--checkov", default="checkov")
    parser.add_argument("--keep", type=Path, help="write the rendered overlays here")
    args = parser.parse_args(argv)
    models = crd_models()
    errors = check_catalogue() + check_calendar()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        unvalidated: list[str] = []
        for overlay in OVERLAYS:
            found, skipped = check_overlay(args.kubectl, args.checkov, overlay, models, out)
            errors += found
            unvalidated += [f"{overlay}: {s}" for s in skipped]
    for line in unvalidated:
        print(f"   not validated against a CRD schema: {line}")
    for line in errors:
        print(f"ERROR {line}", file=sys.stderr)
    print(f"k8s check: {'FAILED, ' + str(len(errors)) + ' errors' if errors else 'ok'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
