#!/usr/bin/env bash
# Runs the RunMachine JMH benchmark (coordinator/src/test/java/dev/wf/coordinator/bench/MachineBenchmark.java).
#
#   bench/machine.sh                         # all cases: fork 1, warmup 2 x 2 s, measurement 3 x 2 s
#   bench/machine.sh parallel10k             # only the cases matching a regex
#   bench/machine.sh -f 2 -wi 5 -i 5 -r 5s   # any JMH option overrides the defaults (-prof gc ...)
#   bench/machine.sh --breakdown [N...]      # not JMH: where the time goes, by run size (MachineBreakdown)
#   SKIP_BUILD=1 bench/machine.sh            # reuse the last build
#
# Maven and the benchmark both run under the shared build lock (flock /tmp/mvn.lock): the machine
# has 2 cores and a concurrent build would spoil the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=/tmp/mvn.lock
CP_FILE=coordinator/target/bench-classpath.txt

if [[ -z "${SKIP_BUILD:-}" ]]; then
  # test-compile runs the JMH annotation processor (META-INF/BenchmarkList into test-classes);
  # build-classpath writes each module's full (test-scope) classpath, reactor modules as target dirs.
  flock "$LOCK" mvn -B -o -q -Dspotless.check.skip=true -pl protocol,coordinator \
    test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
fi

test -f coordinator/target/test-classes/META-INF/BenchmarkList \
  || { echo "no BenchmarkList in coordinator/target/test-classes: build first" >&2; exit 1; }

CP="coordinator/target/test-classes:coordinator/target/classes:$(cat "$CP_FILE")"
if [[ "${1:-}" == "--breakdown" ]]; then
  shift
  exec flock "$LOCK" java -Xms1g -Xmx1g -cp "$CP" dev.wf.coordinator.bench.MachineBreakdown "$@"
fi
exec flock "$LOCK" java -cp "$CP" dev.wf.coordinator.bench.MachineBenchmark "$@"
