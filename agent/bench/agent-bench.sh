#!/bin/sh
# The agent's benchmark (docs/benchmark.md, "Java agent"):
#  1. start-up: medians over N runs of a tiny main, without and with the agent: time until main
#     runs, and the whole run;
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

median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }
startup() { # java options...: "<median ms until main> <median wall ms>" over $RUNS runs
  i=0
  while [ $i -lt "$RUNS" ]; do
    start=$(date +%s%N)
    until_main=$("$JAVA" "$@" -cp "$CLASSES" org.sfkit.proxy.agent.bench.Hello "$start" 2>/dev/null)
    end=$(date +%s%N)
    echo "$until_main $(( (end - start) / 1000000 ))"; i=$((i + 1))
  done > "$WORK/startup"
  echo "$(cut -d' ' -f1 "$WORK/startup" | median) $(cut -d' ' -f2 "$WORK/startup" | median)"
}
if [ "$RUNS" -gt 0 ]; then
  set -- $(startup -Xshare:auto) $(startup "$AGENT")
  echo "start-up ($RUNS runs, medians): until main: plain $1 ms, agent $3 ms (+$(($3 - $1)));" \
       "whole run: plain $2 ms, agent $4 ms (+$(($4 - $2)), includes the transport starting in the background)"
fi

unshare -n sh -c "ip link set lo up
  java -jar '$JAR' -pid 1 --udp-host 127.0.0.1 --udp-port 9001 --cert '$WORK/p1.pem' --key '$WORK/p1.key' \
      --peer 0=127.0.0.1:9000 --peer-cert 0='$WORK/p0.pem' >/dev/null 2>&1 &
  peer=\$!
  '$JAVA' '$AGENT' -cp '$CLASSES' org.sfkit.proxy.agent.bench.AgentPathsBench; status=\$?
  kill \$peer; exit \$status"
