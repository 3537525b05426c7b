# What ran on the primary's core (core 0 in a pinned run) while the live path waited for it.
#
# Record during a pinned run's live window, from core 1, then take a list of the primary's backends:
#   taskset -c 1 perf sched record -C 0 -o sched.data -- sleep 20
#   psql ... -At -c "select pid, application_name, backend_type, state from pg_stat_activity" >> act.txt
#   perf sched timehist -i sched.data > th.txt
#   python3 perf-sched-primary-core.py <live client's pid>
# A victim is a wait of more than 0.3 ms between the live path's wake-up and its run (its backends,
# named live-recording-path, or the live client's threads); for each, what ran on the core meanwhile.
import re, collections, bisect, sys

pat = re.compile(r'^\s*([\d.]+)\s+\[(\d+)\]\s+(.*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$')
apps = {}
for line in open('act.txt'):
    parts = line.strip().split('|')
    if len(parts) >= 2 and parts[0].isdigit():
        apps[parts[0]] = parts[1] or parts[2]
live_client = sys.argv[1]


def group(task):
    m = re.search(r'\[(\d+)(?:/(\d+))?\]', task)
    if not m:
        return task
    pid = m.group(2) or m.group(1)
    name = task.split('[')[0]
    if pid == live_client:
        return 'live-client'
    if name.startswith('postgres'):
        return 'pg:' + apps.get(pid, 'other')
    if 'idle' in name:
        return 'idle'
    return 'other:' + re.sub(r'\d+', '#', name)


runs, victims, busy, run_times = [], [], collections.Counter(), collections.defaultdict(list)
for line in open('th.txt'):
    m = pat.match(line)
    if not m or int(m.group(2)) != 0:
        continue
    t, _, task, _, delay, ran = m.groups()
    t, delay, ran = float(t) * 1000, float(delay), float(ran)
    g = group(task)
    runs.append((t - ran, t, g))
    busy[g] += ran
    run_times[g].append(ran)
    if g in ('live-client', 'pg:live-recording-path') and delay > 0.3:
        victims.append((t - ran - delay, t - ran, delay))
runs.sort()
starts = [r[0] for r in runs]


def during(selected):
    who = collections.Counter()
    for a, b, _ in selected:
        i = max(0, bisect.bisect_left(starts, a - 50))
        while i < len(runs) and runs[i][0] < b:
            s, e, g = runs[i]
            overlap = max(0, min(e, b) - max(s, a))
            if overlap > 0:
                who[g] += overlap
            i += 1
    return ', '.join('%s %.1f' % kv for kv in who.most_common(5))


print('recorded %.0f ms; live waits > 0.3 ms: %d, %.1f ms in all' % (runs[-1][1] - runs[0][0], len(victims), sum(v[2] for v in victims)))
for lo, hi in ((0.3, 1), (1, 3), (3, 1000)):
    sel = [v for v in victims if lo <= v[2] < hi]
    print('  waits of %g-%g ms: %d, %.1f ms; ran meanwhile (ms): %s' % (lo, hi, len(sel), sum(v[2] for v in sel), during(sel)))
print("the primary's backends, time per run on the core (ms):")
for g, v in sorted(run_times.items(), key=lambda kv: -sum(kv[1])):
    if g.startswith('pg:') and len(v) > 20:
        v.sort()
        n = len(v)
        print('  %-30s %6d runs, median %.3f, p90 %.3f, p99 %.3f, max %.3f, %.0f ms in all' % (g, n, v[n // 2], v[int(n * .9)], v[int(n * .99)], v[-1], sum(v)))
