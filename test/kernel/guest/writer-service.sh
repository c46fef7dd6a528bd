#!/bin/sh
# The zombie writer as a service resource (LSB status: 0 running, 3 not).
# Started in its own session so that it outlives a killed daemon, as a real
# service would: that is what makes it a zombie when its controller dies.
# usage: writer-service.sh start|stop|status NODE WRITER_JS WHO DATA_DIR CTL_DIR
set -u
verb=$1 node=$2 js=$3 who=$4 data=$5 ctl=$6
pidfile=$ctl/writer.pid
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case $verb in
start)
  setsid "$node" "$js" "$who" "$data" "$ctl" </dev/null >>"$ctl/writer.out" 2>&1 &
  echo $! >"$pidfile"
  ;;
stop)
  if running; then kill "$(cat "$pidfile")"; fi
  n=0
  while running; do
    n=$((n + 1))
    [ $n -gt 50 ] && exit 1
    sleep 0.1
  done
  rm -f "$pidfile"
  ;;
status)
  running && exit 0
  exit 3
  ;;
*) exit 2 ;;
esac
