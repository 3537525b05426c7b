#!/usr/bin/env bash
# Does work on vCPU 1 slow a PostgreSQL pinned to vCPU 0? A short catalogue query at 200/s from a
# pgbench client pinned to vCPU 0 (latency as pgbench sees it, per transaction), 20 s under each
# load: on vCPU 1 pure compute (openssl), syscalls (dd /dev/zero to /dev/null), sha256sum of
# /dev/zero, a memory copy loop (64 MB buffers, python); then on vCPU 0 itself at SCHED_IDLE and
# at normal priority. Needs root, Debian's postgresql-15 and pgbench, python3. A throwaway
# PostgreSQL in /tmp/e2 on port 54399, stopped at the end. Bounded: about 3.5 minutes.
# Results of 2026-11-30: cross-core-interference-2026-11-30.txt beside this file.
set -u
B=/usr/lib/postgresql/15/bin
D=/tmp/e2/data
PORT=54399
rm -rf $D && mkdir -p $D && chmod 777 /tmp/e2 && chown -R postgres $D
su postgres -c "$B/initdb -D $D -A trust" >/dev/null 2>&1 || $B/initdb -D $D -A trust >/dev/null
su postgres -c "taskset -c 0 $B/pg_ctl -D $D -o '-p $PORT -k /tmp/e2' -l /tmp/e2/pg.log start" >/dev/null
sleep 3
cat > /tmp/e2/probe.sql <<'EOF'
SELECT count(*) FROM pg_class WHERE relname LIKE 'pg_t%';
EOF
run() {
  local name=$1
  taskset -c 0 pgbench -h /tmp/e2 -p $PORT -U postgres -n -c 1 -R 200 -T 20 -f /tmp/e2/probe.sql -l --log-prefix=/tmp/e2/$name postgres >/dev/null 2>&1
  python3 - "$name" <<'EOF'
import glob,sys
name=sys.argv[1]
lat=[]
for f in glob.glob(f"/tmp/e2/{name}.*"):
    for line in open(f):
        p=line.split()
        lat.append(int(p[2])/1000.0)
lat.sort()
n=len(lat)
q=lambda x: lat[min(n-1,int(x*n))]
slow=sum(1 for v in lat if v>0.7)
print(f"{name:12s} n={n} p50={q(0.5):.3f} p99={q(0.99):.3f} p99.9={q(0.999):.3f} max={lat[-1]:.3f} ms; over 0.7 ms: {slow}")
EOF
}
run idle
taskset -c 1 openssl speed -seconds 25 sha256 >/dev/null 2>&1 & L=$!; sleep 1; run compute; kill $L 2>/dev/null; wait $L 2>/dev/null
taskset -c 1 timeout 25 dd if=/dev/zero of=/dev/null bs=16k >/dev/null 2>&1 & L=$!; sleep 1; run syscalls; kill $L 2>/dev/null; wait $L 2>/dev/null
taskset -c 1 timeout 25 sha256sum /dev/zero >/dev/null 2>&1 & L=$!; sleep 1; run sha256sum; kill $L 2>/dev/null; wait $L 2>/dev/null
taskset -c 1 timeout 25 python3 -c "
import time
b=bytearray(64*1024*1024)
end=time.time()+24
while time.time()<end:
    c=bytes(b)
" & L=$!; sleep 1; run memcopy; kill $L 2>/dev/null; wait $L 2>/dev/null
taskset -c 0 chrt --idle 0 openssl speed -seconds 25 sha256 >/dev/null 2>&1 & L=$!; sleep 1; run sameidle; kill $L 2>/dev/null; wait $L 2>/dev/null
taskset -c 0 chrt --idle 0 timeout 25 dd if=/dev/zero of=/dev/null bs=16k >/dev/null 2>&1 & L=$!; sleep 1; run sameidlesys; kill $L 2>/dev/null; wait $L 2>/dev/null
taskset -c 0 openssl speed -seconds 25 sha256 >/dev/null 2>&1 & L=$!; sleep 1; run samenormal; kill $L 2>/dev/null; wait $L 2>/dev/null
run idle2
su postgres -c "$B/pg_ctl -D $D -m fast stop" >/dev/null
