"""The suite as ``secondline demo`` runs it: ``secondline up``'s services, with the partners file
the demo wrote for recognition (X-1) and the objection service on a manual clock standing at the
start of the weeks of objections the demo replays (:mod:`secondline.cli.demo.objections`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from secondline.cli.up.suite import SERVICES, Layout, ServiceSpec


def demo_services(partners_file: Path, objection_clock: datetime) -> tuple[ServiceSpec, ...]:
    def recognition(name: str, layout: Layout) -> dict:
        return {**base["recognition"].settings(name, layout), "partners_file": str(partners_file)}

    def objection(name: str, layout: Layout) -> dict:
        return {**base["objection"].settings(name, layout), "start_clock": objection_clock.isoformat(),
                "delivery_poll_seconds": 0.5}

    base = {spec.name: spec for spec in SERVICES}
    wrapped = {"recognition": recognition, "objection": objection}
    return tuple(ServiceSpec(spec.name, spec.module, wrapped.get(spec.name, spec.settings)) for spec in SERVICES)


__all__ = ["demo_services"]
