#!/usr/bin/env bash
# Creates one virtual environment per Python peer under benchmarks/peers/.venvs/
# and installs each peer's pinned release from the package registry.
#
#   bash benchmarks/peers/setup.sh            # all peers
#   bash benchmarks/peers/setup.sh djust      # only the named ones
#   PYTHON=python3.12 bash benchmarks/peers/setup.sh
#
# roost itself runs from the project's own .venv (pip install -e .), so it is
# not installed here. A peer that fails to install is reported and skipped:
# run.py then leaves it out of the table and says why. Re-running is cheap:
# a venv whose pins are already satisfied is kept.
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
VENVS="$HERE/.venvs"
PYTHON="${PYTHON:-python3}"
mkdir -p "$VENVS"

# name | pinned requirements (the versions measured in docs/performance.md)
declare -A PINS=(
  [floor]="hypercorn[trio]==0.18.0 trio==0.35.0 uvicorn[standard]==0.55.0"
  [pyview]="pyview-web==0.9.0 uvicorn[standard]==0.55.0"
  [djust]="djust==1.2.6 Django==5.2.19 channels[daphne]==4.3.2 daphne==4.2.3 uvicorn[standard]==0.55.0"
  [reactpy]="reactpy[starlette]==1.1.0 starlette==0.52.1 uvicorn[standard]==0.55.0"
)
ORDER=(floor pyview djust reactpy)

if [ "$#" -gt 0 ]; then ORDER=("$@"); fi

ok=()
failed=()
for name in "${ORDER[@]}"; do
  pins="${PINS[$name]:-}"
  if [ -z "$pins" ]; then
    echo "setup: unknown peer '$name' (known: ${!PINS[*]})" >&2
    failed+=("$name")
    continue
  fi
  venv="$VENVS/$name"
  log="$VENVS/$name.log"
  stamp="$venv/.pins"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pins" ]; then
    echo "setup: $name: up to date ($pins)"
    ok+=("$name")
    continue
  fi
  echo "setup: $name: installing $pins (log: ${log#"$HERE"/})"
  rm -rf "$venv"
  # shellcheck disable=SC2086
  if "$PYTHON" -m venv "$venv" >"$log" 2>&1 \
    && "$venv/bin/python" -m pip install --quiet --upgrade pip >>"$log" 2>&1 \
    && "$venv/bin/python" -m pip install $pins >>"$log" 2>&1; then
    echo "$pins" >"$stamp"
    "$venv/bin/python" -m pip freeze >"$VENVS/$name.freeze" 2>/dev/null
    ok+=("$name")
  else
    echo "setup: $name: FAILED to install; skipped (see ${log#"$HERE"/}):" >&2
    tail -n 5 "$log" | sed 's/^/    /' >&2
    rm -f "$stamp"
    failed+=("$name")
  fi
done

echo "setup: ready: ${ok[*]:-none}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "setup: failed: ${failed[*]}" >&2
fi
exit 0
