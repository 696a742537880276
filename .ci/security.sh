#!/usr/bin/env bash
# Security checks for CI: dependency vulnerabilities (pip-audit on the locked dependencies),
# static analysis (bandit, medium severity and above) and committed secrets (detect-secrets
# plus explicit checks). Fails on any finding; only an unreachable vulnerability service is
# tolerated, with a loud warning, because it says nothing about our dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
status=0

# The tools are pinned with hashes in requirements-security.lock (`make lock`).
"$PY" -m pip install --quiet --require-hashes --no-deps -r requirements-security.lock

echo "== 1/3 pip-audit: known vulnerabilities in the locked dependencies"
set +e
"$PY" -m pip_audit -r requirements-test.lock -r requirements-security.lock --no-deps --disable-pip --progress-spinner off \
    --format json --output .ci/pip-audit.json 2> .ci/pip-audit.err
audit_rc=$?
set -e
"$PY" - "$audit_rc" <<'PYEOF' || status=1
import json, pathlib, sys
rc = int(sys.argv[1])
err = pathlib.Path(".ci/pip-audit.err").read_text(errors="replace")
out = pathlib.Path(".ci/pip-audit.json")
network = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "timed out",
           "Temporary failure in name resolution")
try:
    report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
except json.JSONDecodeError:
    report = None
if report is None:
    if any(word in err for word in network):
        print("WARNING: the vulnerability service is unreachable; dependencies NOT audited.")
        sys.exit(0)
    print(err[-3000:])
    print("pip-audit failed for a reason other than the network")
    sys.exit(1)
deps = report.get("dependencies", [])
vulnerable = [d for d in deps if d.get("vulns")]
skipped = [d for d in deps if d.get("skip_reason")]
for d in vulnerable:
    for v in d["vulns"]:
        print(f"VULNERABLE {d['name']} {d['version']}: {v['id']} "
              f"(fixed in {', '.join(v.get('fix_versions') or ['?'])})")
audited = len(deps) - len(skipped)
print(f"{audited} of {len(deps)} locked packages audited, {len(vulnerable)} vulnerable")
if skipped and audited == 0:
    print("WARNING: no package could be looked up (registry without the vulnerability API, "
          "e.g. an offline mirror); dependencies NOT audited.")
elif skipped:
    print("WARNING: not audited: " + ", ".join(d["name"] for d in skipped))
if rc != 0 and not vulnerable:
    print(err[-3000:])
sys.exit(1 if vulnerable or rc != 0 else 0)
PYEOF
rm -f .ci/pip-audit.json .ci/pip-audit.err

echo "== 2/3 bandit: medium and high severity findings"
targets=(geo planning access ui scripts)
for extra in app.py app_pages; do [ -e "$extra" ] && targets+=("$extra"); done
"$PY" -m bandit -q -r "${targets[@]}" -ll || status=1

echo "== 3/3 secrets: nothing secret in tracked files"
mapfile -t tracked < <(git ls-files)
"$PY" -m detect_secrets scan --all-files "${tracked[@]}" > .ci/secrets.json
"$PY" - <<'PYEOF' || status=1
import json, sys
found = json.load(open(".ci/secrets.json"))["results"]
for path, hits in found.items():
    for hit in hits:
        print(f"SECRET? {path}:{hit['line_number']}: {hit['type']}")
sys.exit(1 if found else 0)
PYEOF
rm -f .ci/secrets.json
# Files that must never be committed, and private keys or bcrypt hashes anywhere.
if git ls-files | grep -E '(^|/)(credentials\.(ya?ml|json)|secrets\.toml|\.env|audit\.sqlite)$|\.(pem|key|p12)$'; then
  echo "a credentials, secrets or key file is tracked by git"; status=1
fi
if git grep -I -n -E 'BEGIN ([A-Z]+ )?PRIVATE KEY|\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}' -- . ':!.ci/security.sh'; then
  echo "a private key or password hash is committed"; status=1
fi

[ "$status" -eq 0 ] && echo "security checks passed" || echo "security checks FAILED"
exit "$status"
