#!/usr/bin/env bash
# Prints the home of a JDK 22 or newer: $QUIVER_JAVA_HOME, then $JAVA_HOME,
# then the usual install locations. Exits 1 when there is none.
set -u
candidates=("${QUIVER_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64
            /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/java-25-openjdk-amd64
            /usr/lib/jvm/java-25-openjdk-arm64 /usr/lib/jvm/*)
for home in "${candidates[@]}"; do
  [ -n "$home" ] && [ -x "$home/bin/javac" ] || continue
  v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$v" ] && [ "${v%%.*}" -ge 22 ] 2>/dev/null; then echo "$home"; exit 0; fi
done
exit 1
