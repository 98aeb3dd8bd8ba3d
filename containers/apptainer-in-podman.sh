#!/usr/bin/env bash
# `apptainer` for a machine that has podman but no apptainer (Debian bookworm has none, and sid's needs
# a newer libc than bookworm's): runs Debian sid's apptainer in a privileged podman container.
#
#   containers/apptainer-in-podman.sh build x.sif oci-archive:///abs/path/x.oci.tar
#   PATH=<dir with this script as "apptainer">:$PATH nextflow run main.nf -profile test,apptainer ...
#
# The image localhost/apptainer:sid is made by tools/build_containers.sh sif. The container gets the
# current directory, every path apptainer is asked to bind (-B/--bind) or to read (absolute arguments),
# the APPTAINER*/SINGULARITY* environment, and the host's /etc/localtime (apptainer binds it into every
# container and the sid root file system has none). Where the kernel withholds CAP_SYS_RESOURCE (as on
# these VMs) apptainer's exec/run/shell fail with "Requesting capability set ...": it is dropped.
set -euo pipefail

image="${APPTAINER_IN_PODMAN_IMAGE:-localhost/apptainer:sid}"
mounts=(-v "$PWD:$PWD")
[[ -e /etc/localtime ]] && mounts+=(-v /etc/localtime:/etc/localtime:ro)
add_path() {  # add_path <path>: bind its existing part (a file's or a not-yet-made path's folder)
    local p="${1%%:*}"
    p="${p#oci-archive://}"
    p="${p#docker-archive://}"
    [[ "$p" == /* ]] || return 0
    [[ -e "$p" ]] || p="$(dirname "$p")"
    [[ -e "$p" && "$p" != / ]] && mounts+=(-v "$p:$p")
    return 0
}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    a="${args[i]}"
    case "$a" in
        -B | --bind) IFS=, read -ra list <<< "${args[i + 1]:-}"; for b in "${list[@]}"; do add_path "$b"; done ;;
        -B=* | --bind=*) IFS=, read -ra list <<< "${a#*=}"; for b in "${list[@]}"; do add_path "$b"; done ;;
        *) add_path "$a" ;;
    esac
done
envs=()
while IFS= read -r name; do envs+=(-e "$name"); done < <(compgen -e | grep -E '^(APPTAINER|SINGULARITY|NXF_)' || true)

cmd=("$@")
cap_sys_resource=$(( (16#$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24) & 1 ))
if [[ $cap_sys_resource -eq 0 && ${#cmd[@]} -gt 0 && "${cmd[0]}" =~ ^(exec|run|shell|test)$ ]]; then
    cmd=("${cmd[0]}" --drop-caps CAP_SYS_RESOURCE "${cmd[@]:1}")
fi
exec podman run --rm -i --privileged --network host "${mounts[@]}" "${envs[@]}" -w "$PWD" "$image" apptainer "${cmd[@]}"
