"""The entry point of a service process (``python -m secondline.services.<name>``).

Settings from the file and the environment, checked before anything listens; the logs; then
one of: the schema migrated (``--migrate``, a deployment's init container), the service served
until signalled (:class:`secondline.server.ServiceHost`), or, for a service run as several
worker processes, their supervisor (:mod:`secondline.workers`) or one of the workers.
"""

from __future__ import annotations

from pathlib import Path

from secondline.loops import run
from secondline.server import migrate_database


def service_main(argv: list[str] | None, *, name: str, settings_model, env_prefix: str, build, check=None,
                 workers=None) -> int:
    """The entry point of a service process: settings, checks, logs, then serve until signalled.

    Settings come from ``--config`` and ``<env_prefix>*`` variables; anything wrong with them
    (or what ``check`` loads from them, such as the rules file) stops the service before it
    listens, with exit status 2 and a message naming the file, the key and the problem.

    ``workers`` (settings -> int), for a service that can run as several worker processes:
    above 1, this process becomes their supervisor (:mod:`secondline.workers`); each worker is
    this entry point again with ``--worker I``, and ``build`` gets ``worker=`` then.
    """
    import argparse
    import sys

    from secondline.config import ConfigError, load_settings
    from secondline.logs import configure_logging

    parser = argparse.ArgumentParser(prog=f"secondline-{name}", description=f"The Secondline {name} service.")
    parser.add_argument("--config", type=Path, help="settings file (YAML)")
    parser.add_argument("--migrate", action="store_true",
                        help="bring the database schema up to date, then exit (a deployment's init container)")
    if workers is not None:
        parser.add_argument("--worker", type=int, metavar="I",
                            help="serve as worker I of the setting workers (how the supervisor starts each worker)")
    args = parser.parse_args(argv)
    index = getattr(args, "worker", None)
    try:
        settings = load_settings(settings_model, path=args.config, env_prefix=env_prefix)
        if check is not None:
            check(settings)
    except ConfigError as exc:
        print(f"secondline-{name}: {exc}", file=sys.stderr)
        return 2
    count = workers(settings) if workers is not None else 1
    if index is not None and not 1 <= index <= count:
        print(f"secondline-{name}: --worker must be between 1 and workers ({count}), got {index}", file=sys.stderr)
        return 2
    if index is not None:  # the supervisor migrated before it started any worker: none races another
        settings = settings.model_copy(update={"database": settings.database.model_copy(update={"migrate": False})})
    # The lines of the workers and of their supervisor share the process's output: say whose.
    supervising = index is None and count > 1 and not args.migrate
    fields = {"worker": index} if index is not None else {"worker": "supervisor"} if supervising else {}
    configure_logging(name, level=settings.telemetry.log_level, fields=fields)
    if args.migrate:
        migrate_database(settings.database, name)
        return 0
    if supervising:
        from secondline.workers import run_supervisor

        return run_supervisor(settings, name=name, env_prefix=env_prefix, count=count,
                              config=str(args.config) if args.config else None)
    if index is None:
        run(build(settings).run_until_signalled(), settings.server.event_loop)
        return 0
    from secondline.worker import Worker, serve_as_worker

    run(serve_as_worker(build(settings, worker=Worker(index, count))), settings.server.event_loop)
    return 0


__all__ = ["service_main"]
