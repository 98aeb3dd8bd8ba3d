#!/usr/bin/env bash
# Install Nextflow into this repository (tools/nextflow/lib/, git-ignored) without internet access
# beyond Maven Central, and check that the wrapper tools/nextflow/nextflow runs.
#
#   bash tools/install_nextflow.sh            # pinned version (25.05.0-edge, fallback 25.04.4)
#   NXF_VER=25.04.4 bash tools/install_nextflow.sh
#   NXF_ONE_JAR=/path/nextflow-25.04.4-one.jar bash tools/install_nextflow.sh   # use an official jar
#
# Order: an official "-one.jar" already on this machine (NXF_ONE_JAR, or the official launcher's cache
# ~/.nextflow/framework/<ver>/), else the runtime classpath assembled by Maven from Maven Central
# (tools/nextflow/pom.xml). Nextflow >= 25.04.6 / 25.06.0-edge is not published to Maven Central, and
# Central lacks some module versions (25.05.0-edge's nf-commons; nf-lang other than 25.04.0), so each
# version is tried as-is and then with nf-lang 25.04.0 (same 25.04 language line).
# Idempotent: returns at once when lib/ already holds the requested version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
nxf_dir="$here/nextflow"
lib="$nxf_dir/lib"
wrapper="$nxf_dir/nextflow"
pinned="25.05.0-edge"
fallback="25.04.4"
requested="${NXF_VER:-}"

log() { echo "[install_nextflow] $*" >&2; }

installed_version() { [[ -f "$lib/.version" ]] && cat "$lib/.version" || true; }

verify() {
    local out
    out="$("$wrapper" -version 2>&1)" || { log "nextflow -version failed:"; echo "$out" >&2; return 1; }
    grep -q "version" <<<"$out" || { log "unexpected 'nextflow -version' output: $out"; return 1; }
    log "ok: $(grep -m1 -o 'version [^ ]*' <<<"$out") via $wrapper"
}

current="$(installed_version)"
if [[ -n "$current" && ( -z "$requested" || "$requested" == "$current" ) ]] && ls "$lib"/*.jar >/dev/null 2>&1; then
    log "Nextflow $current already installed in ${lib#"$PWD"/}"
    verify
    exit 0
fi

command -v java >/dev/null || { log "java not found: install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)"; exit 1; }

install_one_jar() {   # $1 = version
    local ver="$1" jar="${NXF_ONE_JAR:-$HOME/.nextflow/framework/$1/nextflow-$1-one.jar}"
    [[ -f "$jar" ]] || return 1
    log "using official jar $jar"
    rm -rf "$lib.tmp" && mkdir -p "$lib.tmp"
    cp "$jar" "$lib.tmp/"
    echo "$ver" >"$lib.tmp/.version"
}

mvn_log="$(mktemp)"
trap 'rm -f "$mvn_log"' EXIT

install_maven() {   # $1 = version, then extra -D overrides
    local ver="$1"; shift
    command -v mvn >/dev/null || { log "mvn not found: install Maven (e.g. apt-get install maven)"; return 1; }
    log "assembling Nextflow $ver${*:+ ($*)} from Maven Central (tools/nextflow/pom.xml)"
    rm -rf "$lib.tmp"
    : >"$mvn_log"
    if ! mvn -q -B -f "$nxf_dir/pom.xml" "-Dnextflow.version=$ver" "$@" \
        dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$lib.tmp" >>"$mvn_log" 2>&1; then
        log "  not resolvable: $(grep -m1 -o 'Could not .*' "$mvn_log" | cut -c1-200)"
        return 1
    fi
    ls "$lib.tmp"/nextflow-"$ver".jar >/dev/null 2>&1 || { log "io.nextflow:nextflow:$ver missing"; return 1; }
    echo "$ver" >"$lib.tmp/.version"
}

ok=""
for ver in ${requested:-$pinned $fallback}; do
    if install_one_jar "$ver" || install_maven "$ver" || install_maven "$ver" -Dnf-lang.version=25.04.0; then
        rm -rf "$lib" && mv "$lib.tmp" "$lib"
        ok="$ver"
        break
    fi
    log "Nextflow $ver could not be installed; trying the next version"
done
rm -rf "$lib.tmp"
[[ -n "$ok" ]] || { log "no Nextflow version could be installed; Maven said:"; tail -20 "$mvn_log" >&2; exit 1; }
chmod +x "$wrapper"
log "installed Nextflow $ok ($(ls "$lib" | wc -l) jars) into ${lib#"$PWD"/}"
verify

# First install only: run a two-task hello pipeline offline.
hello="$(mktemp -d)"
cat >"$hello/hello.nf" <<'NF'
process HELLO {
    input:
    val x

    output:
    stdout

    script:
    "echo hello ${x}"
}

workflow {
    Channel.of('a', 'b') | HELLO | view
}
NF
if (cd "$hello" && "$wrapper" run hello.nf -ansi-log false) >"$hello/log" 2>&1 && [[ "$(grep -c '^hello [ab]' "$hello/log")" == 2 ]]; then
    log "ok: nextflow run of a hello pipeline"
    rm -rf "$hello"
else
    log "nextflow run of a hello pipeline failed:"; cat "$hello/log" >&2; rm -rf "$hello"; exit 1
fi
