# Sourced by ./loupe and ./run-tests: sets JAVA_HOME to a JDK >= 21 or exits with a clear message.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm.
loupe_java_major() {
  # prints the feature version of the JDK at $1 (e.g. 21), or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

loupe_find_jdk() {
  local v candidate best="" best_v=0
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(loupe_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then return 0; fi
    echo "loupe: JAVA_HOME=$JAVA_HOME is not a JDK 21 or newer (found: ${v:-none}); looking under /usr/lib/jvm" >&2
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -d "$candidate" ] || continue
    v=$(loupe_java_major "$candidate")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$candidate"; best_v="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "loupe: no JDK 21 or newer found. Install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
}

loupe_find_jdk
export PATH="$JAVA_HOME/bin:$PATH"
