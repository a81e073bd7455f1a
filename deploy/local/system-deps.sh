#!/usr/bin/env bash
# What the suite needs from the operating system, installed from Debian when missing: Java 17 and Maven
# (Kafka's jars come from Maven Central), Debian's chromium (the real-browser tests; Playwright's own
# download does not work here), the CJK fonts (Chinese pages render as text, not boxes) and Go (the
# benchmarks' load generator, bench/loadgen).
# Called by `make test` and by .ci/run. Without root it installs nothing and says what is missing; the
# suite then fails on the missing part with a clear message (it never skips).
set -euo pipefail

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v go >/dev/null 2>&1 || [[ -x /usr/local/go/bin/go ]] || need+=(golang-go)
[[ "$(dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null || true)" == *"ok installed"* ]] || need+=(fonts-noto-cjk)

if ((${#need[@]} == 0)); then
  exit 0
fi
if [[ "$(id -u)" != 0 ]] && ! sudo -n true 2>/dev/null; then
  echo "system-deps: missing ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
  exit 0
fi
run=()
[[ "$(id -u)" == 0 ]] || run=(sudo -n)
echo "system-deps: installing ${need[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -q
"${run[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
