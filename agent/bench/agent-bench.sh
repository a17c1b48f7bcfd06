#!/bin/sh
# The agent's benchmark (docs/benchmark.md, "Java agent"):
#  1. start-up: median wall time of N runs of a tiny main, without and with the agent;
#  2. ingress paths: per-connect cost and throughput of direct TCP, the in-memory pipe
#     (java.net.Socket) and the loopback hand-off (SocketChannel), with the agent as party 0 and
#     a peer proxy as party 1, both in a network namespace of their own (only lo: nothing sent
#     to 10.0.0.x can leave it).
# Usage (after mvn -o -q -pl agent -am package -DskipTests):  agent/bench/agent-bench.sh [runs]
# JAVA selects the JDK of the measured JVMs (default: java on PATH).
set -eu
cd "$(dirname "$0")/../.."
JAR=$PWD/agent/target/sfkit-proxy.jar
CLASSES=$PWD/agent/target/test-classes
JAVA=${JAVA:-java}
RUNS=${1:-11}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for pid in 0 1; do
  java -jar "$JAR" gencert --cert "$WORK/p$pid.pem" --key "$WORK/p$pid.key" >/dev/null
done
AGENT="-javaagent:$JAR=pid=0;udp-host=127.0.0.1;udp-port=9000;cert=$WORK/p0.pem;key=$WORK/p0.key;peer=1=127.0.0.1:9001;peer-cert=1=$WORK/p1.pem"

median_ms() { # command...: median wall time of $RUNS runs, in ms
  i=0
  while [ $i -lt "$RUNS" ]; do
    start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N)
    echo $(( (end - start) / 1000000 )); i=$((i + 1))
  done | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}
if [ "$RUNS" -gt 0 ]; then
plain=$(median_ms "$JAVA" -cp "$CLASSES" org.sfkit.proxy.agent.bench.Hello)
agent=$(median_ms "$JAVA" "$AGENT" -cp "$CLASSES" org.sfkit.proxy.agent.bench.Hello)
echo "start-up ($RUNS runs, median): plain ${plain} ms, with agent ${agent} ms, added $((agent - plain)) ms"
fi

unshare -n sh -c "ip link set lo up
  java -jar '$JAR' -pid 1 --udp-host 127.0.0.1 --udp-port 9001 --cert '$WORK/p1.pem' --key '$WORK/p1.key' \
      --peer 0=127.0.0.1:9000 --peer-cert 0='$WORK/p0.pem' >/dev/null 2>&1 &
  peer=\$!
  '$JAVA' '$AGENT' -cp '$CLASSES' org.sfkit.proxy.agent.bench.AgentPathsBench; status=\$?
  kill \$peer; exit \$status"
