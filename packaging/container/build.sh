#!/usr/bin/env bash
# Builds the Loupe container image offline: a jlink'ed runtime of the JDK that builds Loupe (>= 21), the shared
# libraries it and Netty's native parts need (found with ldd, copied from this machine), the shaded jar, a
# "loupe" user (10001) and the system CA roots, then `podman build` (or buildah) FROM scratch with --pull=never.
# Usage: packaging/container/build.sh [IMAGE-TAG]   (default loupe:latest); needs loupe-app/target/loupe.jar.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
tag="${1:-loupe:latest}"
. "$repo/bin/find-jdk.sh"
jar="$repo/loupe-app/target/loupe.jar"
[ -f "$jar" ] || { echo "build.sh: no $jar: build first (mvn -B install -DskipTests)" >&2; exit 2; }
if command -v podman >/dev/null; then builder=(podman build); elif command -v buildah >/dev/null; then builder=(buildah bud);
else echo "build.sh: neither podman nor buildah is installed" >&2; exit 3; fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/opt/loupe" "$root/etc/ssl/certs" "$root/etc/loupe" "$root/tmp" "$work/data"
chmod 1777 "$root/tmp"
# the modules Loupe uses (XML for STIX 1.x, JNDI and management for logging, jdk.unsupported for Netty and signals)
wanted=(java.base java.logging java.naming java.net.http java.management java.xml java.sql jdk.unsupported jdk.crypto.ec)
have="$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//')"
mods=(); for m in "${wanted[@]}"; do grep -qx "$m" <<<"$have" && mods+=("$m"); done
"$JAVA_HOME/bin/jlink" --add-modules "$(IFS=,; echo "${mods[*]}")" --strip-debug --no-man-pages --no-header-files \
  --output "$root/opt/java"
cp "$jar" "$root/opt/loupe/loupe.jar"
# C libraries: those of the runtime, plus what Netty's epoll and BoringSSL libraries link against
libs=$( { find "$root/opt/java" -name '*.so' -o -path '*/bin/java'; } | xargs ldd 2>/dev/null \
  | awk '/=>/ {print $3} /^\s*\/lib/ {print $1}' | sort -u)
for l in $libs /lib64/ld-linux-x86-64.so.2; do
  [ -e "$l" ] || continue
  mkdir -p "$root$(dirname "$l")"; cp -L "$l" "$root$l"
  real="$(readlink -f "$l")"; mkdir -p "$root$(dirname "$real")"; cp -L "$l" "$root$real"
done
# netty extracts its native libraries into /tmp and loads them: they need libc, libm, libdl, libpthread, librt
for l in /lib/x86_64-linux-gnu/{libc.so.6,libm.so.6,libdl.so.2,libpthread.so.0,librt.so.1,libgcc_s.so.1,libz.so.1}; do
  [ -e "$l" ] && { mkdir -p "$root/lib/x86_64-linux-gnu"; cp -L "$l" "$root$l"; }
done
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\nloupe:x:10001:10001:Loupe:/var/lib/loupe:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nloupe:x:10001:\n' > "$root/etc/group"
# a default that serves private networks only (never an open proxy); mount your own /etc/loupe to change it
cat > "$root/etc/loupe/loupe.yaml" <<'YAML'
data-dir: /var/lib/loupe
listener: {address: 0.0.0.0, port: 8080, allowed-clients: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8]}
YAML
cp "$here/Containerfile" "$work/Containerfile"
chmod 0700 "$work/data"
"${builder[@]}" --pull=never --network none -t "$tag" -f "$work/Containerfile" "$work" >&2
echo "$tag"
