# syntax=docker/dockerfile:1
# One image for every service of the suite; the command chooses the service:
#   python -m secondline.services.<ingestion|classification|gate> --config FILE [--migrate]
# Build from the repository's root:  docker build -t secondline .
#
# The base image by digest (python:3.11-slim-bookworm). Refresh both FROM lines together:
#   docker buildx imagetools inspect python:3.11-slim-bookworm

FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91 AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
# The virtual environment, with the exact versions of constraints.txt (runtime dependencies
# only: the dev extras are not installed).
RUN python -m venv /opt/venv
COPY constraints.txt pyproject.toml README.md ./
COPY libs ./libs
COPY services ./services
RUN /opt/venv/bin/pip install --no-cache-dir --constraint constraints.txt . \
 && /opt/venv/bin/python -m compileall -q /opt/venv

FROM python:3.11-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91
# A user of its own, without a shell or home; Kubernetes runs it as 10001 (runAsNonRoot).
RUN groupadd --system --gid 10001 secondline \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin secondline
COPY --from=build /opt/venv /opt/venv
# Read-only root filesystem: nothing is written beside the code (bytecode was compiled above).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /tmp
# 50051: gRPC (mutual TLS in a cluster); 8081: the health service alone, for the probes.
EXPOSE 50051 8081
CMD ["python", "-m", "secondline.services.gate", "--help"]
