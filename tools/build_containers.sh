#!/usr/bin/env bash
# Build the pipeline's images with podman and tag them as nextflow.config's params.container /
# params.container_gpu expect:
#
#   bash tools/build_containers.sh [cpu|cuda|all|sif]      (default: all)
#
# sif: an Apptainer image of the (built) CPU image, from `podman save --format oci-archive`, in SIF_DIR
# (default /var/tmp/scnetflow-sif). Where apptainer is not installed (Debian bookworm has none) it runs
# Debian sid's in a privileged podman container (containers/apptainer-in-podman.sh).
#
# For Debian/Ubuntu machines run as root (apt-get installs podman & co. when missing). Where no image
# registry is reachable, the base image is made locally (mmdebstrap of Debian bookworm with Python 3.11,
# imported with podman import); where download.pytorch.org is not reachable, the CPU image gets PyPI's
# torch (a CUDA build: it runs on CPU, but the image is several GB larger). Environment overrides:
#   BASE=<image>             base of both images (skips the registry check)
#   TORCH_INDEX_URL=<url>    torch source of the CPU image (the CUDA image always uses its own default)
#   WORKDIR_BASE=<dir>       where the base's root file system tarball is written (default: a temp dir)
# Timings and image sizes are printed at the end (containers/README.md has the measured ones).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
what="${1:-all}"
case "$what" in cpu|cuda|all|sif) ;; *) echo "Error: unknown target '$what' (use cpu, cuda, all or sif)" >&2; exit 2 ;; esac

log() { echo "[build_containers] $*" >&2; }
declare -a summary=()
timed() {  # timed <label> <command...>: run it, remember its wall time
    local label="$1" t0=$SECONDS
    shift
    "$@"
    summary+=("$label: $((SECONDS - t0)) s")
}

# Image names from nextflow.config (one source of truth).
param() { sed -n "s/^ *$1 *= *'\([^']*\)'.*/\1/p" nextflow.config | head -n 1; }
cpu_image="$(param container)"
cuda_image="$(param container_gpu)"
[[ -n "$cpu_image" && -n "$cuda_image" ]] || { echo "Error: params.container / params.container_gpu not found in nextflow.config" >&2; exit 1; }

# 1. The engine and what the local base needs (Debian packages).
need=()
for cmd in podman:podman buildah:buildah runc:runc mmdebstrap:mmdebstrap newuidmap:uidmap fuse-overlayfs:fuse-overlayfs \
    slirp4netns:slirp4netns mksquashfs:squashfs-tools; do
    command -v "${cmd%%:*}" >/dev/null || need+=("${cmd#*:}")
done
if ((${#need[@]})); then
    [[ $EUID -eq 0 ]] || { echo "Error: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2; exit 1; }
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timed "apt-get install" bash -c "apt-get -o DPkg::Lock::Timeout=900 update -q \
        && apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends ${need[*]} netavark aardvark-dns containernetworking-plugins ca-certificates"
fi

# 2. Engine settings for VMs like ours (PID 1 is not systemd, cgroups in hybrid mode, low default
#    ulimits): only written when the machine has no containers.conf of its own.
conf=/etc/containers/containers.conf
if [[ $EUID -eq 0 && ! -e "$conf" ]]; then
    log "writing $conf (runc, cgroupfs, file events, raised ulimits)"
    mkdir -p /etc/containers
    cat > "$conf" <<'EOF'
# Written by scnetflow's tools/build_containers.sh (see containers/README.md for why each line is here).
[containers]
# crun/runc cannot set the default RLIMIT_NOFILE/NPROC above the VM's hard limits otherwise.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
# crun refuses cgroups in hybrid mode; PID 1 is not systemd, so no systemd cgroup manager or journald.
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
fi
podman info >/dev/null || { echo "Error: podman does not work on this machine (podman info failed)" >&2; exit 1; }

if [[ "$what" != sif ]]; then
    # 3. The base: the official one if a registry answers, otherwise a local Debian bookworm + Python 3.11.
    build_opts=(--network host)
    # The host's CA bundle over the image's, for pip (PIP_CERT in the Dockerfiles) behind a TLS-intercepting proxy.
    host_ca=/etc/ssl/certs/ca-certificates.crt
    [[ -f "$host_ca" ]] && build_opts+=(-v "$host_ca:$host_ca:ro")
    default_base=python:3.11-slim-bookworm
    local_base=localhost/scnetflow-base:bookworm-py311
    if [[ -z "${BASE:-}" ]]; then
        if timeout 60 podman pull -q "docker.io/library/$default_base" >/dev/null 2>&1; then
            BASE="$default_base"
        else
            log "no image registry reachable: making $local_base with mmdebstrap"
            if ! podman image exists "$local_base"; then
                tmp="${WORKDIR_BASE:-$(mktemp -d)}"
                mkdir -p "$tmp"
                # minbase + Python 3.11 and its venv module (ensurepip) + CA certificates for pip.
                timed "base (mmdebstrap + podman import)" bash -c "
                    mmdebstrap --variant=minbase --include=ca-certificates,python3,python3-venv bookworm '$tmp/base.tar' \
                    && podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
                           --change 'CMD [\"/bin/bash\"]' '$tmp/base.tar' '$local_base' >/dev/null"
                rm -f "$tmp/base.tar"
            fi
            BASE="$local_base"
        fi
    fi
    build_opts+=(--build-arg "BASE=$BASE")
    [[ "$BASE" == localhost/* ]] && build_opts+=(--pull=never)
    log "base: $BASE"

    # 4. torch for the CPU image: the CPU wheel where download.pytorch.org answers, else PyPI's.
    if [[ -z "${TORCH_INDEX_URL:-}" ]]; then
        if curl -sSf -m 30 -o /dev/null https://download.pytorch.org/whl/cpu/torch/ 2>/dev/null; then
            TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
        else
            TORCH_INDEX_URL=https://pypi.org/simple
            log "download.pytorch.org not reachable: the CPU image gets PyPI's (CUDA) torch"
        fi
    fi
fi

size() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.2f GB", $1 / 1e9}'; }

# 5. The images; each is smoke-tested as a non-root user (what -profile docker runs as).
if [[ "$what" == cpu || "$what" == all ]]; then
    log "building $cpu_image (torch from $TORCH_INDEX_URL)"
    timed "CPU image" podman build "${build_opts[@]}" --build-arg "TORCH_INDEX_URL=$TORCH_INDEX_URL" \
        -f containers/Dockerfile.cpu -t "$cpu_image" .
    podman run --rm -u 1000:1000 "$cpu_image" bash -c 'scnetflow --version && python -c "import scanpy, scnetflow"'
    summary+=("$cpu_image: $(size "$cpu_image")")
fi
if [[ "$what" == cuda || "$what" == all ]]; then
    log "building $cuda_image"
    timed "CUDA image" podman build "${build_opts[@]}" -f containers/Dockerfile.cuda -t "$cuda_image" .
    podman run --rm -u 1000:1000 "$cuda_image" \
        python -c "import torch, torch_geometric, scnetflow; print('torch', torch.__version__, 'CUDA', torch.version.cuda)"
    summary+=("$cuda_image: $(size "$cuda_image")")
fi

if [[ "$what" == sif ]]; then
    podman image exists "$cpu_image" || { echo "Error: $cpu_image not built: run bash tools/build_containers.sh cpu first" >&2; exit 1; }
    sif_dir="${SIF_DIR:-/var/tmp/scnetflow-sif}"
    mkdir -p "$sif_dir"
    name="${cpu_image##*/}"
    sif="$sif_dir/${name//:/-}.sif"
    apptainer=(apptainer)
    if ! command -v apptainer >/dev/null; then
        apptainer=("$repo/containers/apptainer-in-podman.sh")
        if ! podman image exists localhost/apptainer:sid; then
            log "making localhost/apptainer:sid (Debian sid with apptainer)"
            timed "apptainer image (mmdebstrap sid + podman import)" bash -c "
                mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until \"false\"' \
                    --include=apptainer,squashfs-tools,ca-certificates sid '$sif_dir/sid.tar' \
                && podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
                       '$sif_dir/sid.tar' localhost/apptainer:sid >/dev/null"
            rm -f "$sif_dir/sid.tar"
        fi
    fi
    rm -f "$sif" "$sif_dir/image.oci.tar"
    timed "podman save --format oci-archive" podman save -q --format oci-archive -o "$sif_dir/image.oci.tar" "$cpu_image"
    # lz4: several times faster to build than squashfs's default gzip, for a somewhat larger file.
    timed "apptainer build" "${apptainer[@]}" build --mksquashfs-args "-comp lz4" "$sif" "oci-archive://$sif_dir/image.oci.tar"
    rm -f "$sif_dir/image.oci.tar"
    "${apptainer[@]}" exec "$sif" python -c "import torch, scnetflow; print('torch', torch.__version__, 'in', '$sif')"
    summary+=("$sif: $(du -h "$sif" | cut -f1)")
fi

printf '[build_containers] %s\n' "${summary[@]}" >&2
