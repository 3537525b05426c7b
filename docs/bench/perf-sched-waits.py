# What ran on the CPUs while the live path waited: reads `perf sched timehist -i sched.data > th.txt`.
# Set the pids below to the run's (node JVM, Cassandra JVM, page backend, live backends, live client).
import re,collections,bisect
runs={0:[],1:[]}
victims=[]
pat=re.compile(r'^\s*([\d.]+)\s+\[(\d+)\]\s+(.*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$')
live_backends={'6225','6227','6228','6229'}
def group(task):
    m=re.search(r'\[(\d+)(?:/(\d+))?\]',task)
    if not m: return task
    tid,pid=m.group(1),m.group(2) or m.group(1)
    name=task.split('[')[0]
    if pid=='5730': return 'node:'+('C2' if 'C2' in name else 'C1' if 'C1' in name else 'GC' if 'GC' in name or 'G1' in name else 'other')
    if pid=='3817': return 'cassandra:'+('C2' if 'C2' in name else 'C1' if 'C1' in name else 'GC' if 'GC' in name or 'G1' in name else 'other')
    if pid=='6266': return 'page-backend'
    if pid in live_backends: return 'live-backend'
    if pid=='6210': return 'live-client'
    if name.startswith('postgres'): return 'postgres-other'
    if 'idle' in name: return 'idle'
    return 'other:'+name
for line in open('th.txt'):
    m=pat.match(line)
    if not m: continue
    t,cpu,task,wait,sd,rt=m.groups()
    t=float(t)*1000;cpu=int(cpu);sd=float(sd);rt=float(rt)
    g=group(task)
    runs[cpu].append((t-rt,t,g))
    if g in('live-backend','live-client') and sd>0.5:
        victims.append((t-rt-sd,t-rt,cpu,sd,g))
tot=collections.Counter();tot_other=collections.Counter()
for c in runs: runs[c].sort()
starts={c:[r[0] for r in runs[c]] for c in runs}
for (a,b,cpu,sd,g) in victims:
    for c in (0,1):
        i=max(0,bisect.bisect_left(starts[c],a-50))
        while i<len(runs[c]) and runs[c][i][0]<b:
            s,e,gg=runs[c][i]
            ov=max(0,min(e,b)-max(s,a))
            if ov>0:
                (tot if c==cpu else tot_other)[gg]+=ov
            i+=1
print('victim delays >0.5ms:',len(victims),'total ms',round(sum(v[3] for v in victims),1))
print('on the victim CPU during its delay (ms):')
for k,v in tot.most_common(15): print('  %-22s %8.1f'%(k,v))
print('on the other CPU meanwhile (ms):')
for k,v in tot_other.most_common(15): print('  %-22s %8.1f'%(k,v))
