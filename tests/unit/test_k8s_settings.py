"""The settings the Kubernetes manifests carry are settings the services take (k8s/), without a
cluster or kubectl: each base settings file with each overlay's environment for the service,
read by the service's own settings model (strict: an unknown key is an error), and the
partners ConfigMap's file and the example it documents, read by recognition (X-1)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

from secondline.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
SERVICES = {"ingestion": "IngestionSettings", "classification": "ClassificationSettings", "gate": "GateSettings",
            "objection": "ObjectionSettings", "recognition": "RecognitionSettings"}


def overlay_env(overlay: str, name: str) -> dict[str, str]:
    """The service container's plain environment variables in an overlay's patches."""
    found = {}
    for patch in sorted((K8S / "overlays" / overlay).rglob("*.yaml")):
        for doc in yaml.safe_load_all(patch.read_text()):
            if not doc or doc.get("kind") != "Deployment" or doc["metadata"]["name"] != name:
                continue
            for container in doc["spec"]["template"]["spec"].get("containers", []):
                found.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    return found


def test_every_service_of_the_suite_has_its_folder_in_the_base():
    listed = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())["resources"]
    assert listed == ["common", *SERVICES]
    for name in SERVICES:
        assert (K8S / "base" / name / f"{name}.yaml").is_file()
        assert (K8S / "overlays" / "production" / "services" / f"{name}.yaml").is_file()


@pytest.mark.parametrize("overlay", ["dev", "production"])
@pytest.mark.parametrize("name", list(SERVICES))
def test_the_base_settings_with_the_overlays_environment_are_the_services_settings(name, overlay):
    model = getattr(importlib.import_module(f"secondline.services.{name}.app"), SERVICES[name])
    prefix = f"SECONDLINE_{name.upper()}_"
    env = overlay_env(overlay, name)
    assert all(k.startswith(prefix) or k.startswith("PG") for k in env), env
    settings = load_settings(model, path=K8S / "base" / name / f"{name}.yaml", env_prefix=prefix, environ=env)
    assert settings.server.health_listen == "[::]:8081" and settings.database.migrate is False
    if overlay == "production":  # mutual TLS towards the service and from it to each producer it calls
        assert settings.server.tls is not None
        for producer in ("ingestion", "classification"):
            if f"{producer}_address" in type(settings).model_fields:
                assert getattr(settings, f"{producer}_tls") is not None, f"{name} calls {producer} without TLS"


def test_recognition_never_generates_keys_outside_dev():
    from secondline.services.recognition.app import RecognitionSettings

    base = load_settings(RecognitionSettings, path=K8S / "base" / "recognition" / "recognition.yaml",
                         env_prefix="SECONDLINE_RECOGNITION_", environ=overlay_env("production", "recognition"))
    assert base.signing.generate_development_keys is False and base.signing.private_key is None


def test_the_partners_configmap_names_no_partner_and_its_documented_example_is_a_valid_partners_file(tmp_path):
    from secondline.services.recognition.partners import load_partners

    path = K8S / "base" / "recognition" / "partners.yaml"
    assert load_partners(path).partners == {}  # none until the authority names them
    text = path.read_text()
    example = "\n".join(line.removeprefix("#   ") for line in text[text.index("#   partners:"):].splitlines()
                        if line.startswith("#   "))
    (tmp_path / "partners.yaml").write_text(example.replace("<base64 of the raw 32-byte key>", "A" * 43 + "="))
    parsed = load_partners(tmp_path / "partners.yaml")
    assert list(parsed.partners) == ["GBA"] and parsed.partners["GBA"].grade_tables[0].grades["D"] == "LOWEST"


def _cores(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def _gate_resources(overlay: str) -> dict:
    """The gate container's resources: the base Deployment's, with the overlay's patch merged over."""
    base = yaml.safe_load((K8S / "base" / "gate" / "deployment.yaml").read_text())
    resources = {k: dict(v) for k, v in base["spec"]["template"]["spec"]["containers"][0]["resources"].items()}
    for patch in sorted((K8S / "overlays" / overlay).rglob("*.yaml")):
        for doc in yaml.safe_load_all(patch.read_text()):
            if doc and doc.get("kind") == "Deployment" and doc["metadata"]["name"] == "gate":
                for container in doc["spec"]["template"]["spec"].get("containers", []):
                    for kind, values in container.get("resources", {}).items():
                        resources.setdefault(kind, {}).update(values)
    return resources


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_the_gate_has_a_core_for_each_of_its_workers(overlay):
    from secondline.services.gate.app import GateSettings

    settings = load_settings(GateSettings, path=K8S / "base" / "gate" / "gate.yaml", env_prefix="SECONDLINE_GATE_",
                             environ=overlay_env(overlay, "gate"))
    resources = _gate_resources(overlay)
    assert _cores(resources["limits"]["cpu"]) >= settings.workers  # a worker uses at most one core
    if overlay == "production":
        assert settings.workers == 2 and _cores(resources["requests"]["cpu"]) >= settings.workers
