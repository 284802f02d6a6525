#!/usr/bin/env bash
# The long profile of the property-based API fuzz suites (tests/python/test_fuzz_*.py):
# EMBER_FUZZ_EXAMPLES random cases per property (default 1000; 20 properties -> 20,000
# cases), then prints the tally: cases tried, results checked against NumPy/PyTorch,
# clear exceptions by type. Needs the dev build (scripts/test.sh or ninja -C build).
#
#   bash scripts/fuzz_api.sh
#   EMBER_FUZZ_EXAMPLES=200 bash scripts/fuzz_api.sh -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
export EMBER_FUZZ_PROFILE=long
tally=$(mktemp)
export EMBER_FUZZ_TALLY=$tally
start=$SECONDS
status=0
PYTHONPATH="$PWD/python" python3 -m pytest -q -p no:warnings -p no:cacheprovider \
  tests/python/test_fuzz_ops.py tests/python/test_fuzz_modules.py "$@" || status=$?
python3 - "$tally" "$((SECONDS - start))" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
# fuzz_support.TALLY is one counter for the whole pytest process: the last line is the total.
total = lines[-1] if lines else {}
total.pop("module", None)
print(f"==> API fuzz tally ({sys.argv[2]} s): " + json.dumps(dict(sorted(total.items()))))
PY
rm -f "$tally"
exit $status
