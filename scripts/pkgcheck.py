#!/usr/bin/env python3
"""The package map and the layout rules: files and lines per package with what each imports, package cycles (strongly
connected components of the import graph), folders of more than 15 files, main classes of more than 300 lines.
Run from the project root; exits 1 when a rule is broken (CI runs it)."""
import os, re, sys, collections
ROOT = 'src/main/java/io/zinteract/images'
PFX = 'io.zinteract.images'
pkgs = collections.defaultdict(list)
for d, _, fs in os.walk(ROOT):
    for f in fs:
        if f.endswith('.java'):
            p = os.path.join(d, f)
            pkgs[PFX + d[len(ROOT):].replace('/', '.')].append(p)
types = {}
for pkg, files in pkgs.items():
    for p in files:
        types[pkg + '.' + os.path.basename(p)[:-5]] = pkg
edges = collections.defaultdict(set)
for pkg, files in pkgs.items():
    for p in files:
        src = open(p).read()
        for m in re.finditer(r'^import\s+(?:static\s+)?(io\.zinteract\.images\.[\w.]+?)(?:\.\*)?;', src, re.M):
            name = m.group(1)
            target = None
            while name.count('.') >= 3:
                if name in types: target = types[name]; break
                if name in pkgs: target = name; break
                name = name.rsplit('.', 1)[0]
            if target and target != pkg:
                edges[pkg].add(target)
        # fully qualified references in code
        for m in re.finditer(r'\b(io\.zinteract\.images(?:\.[a-z]\w*)+)\.[A-Z]\w*', src):
            if m.group(1) in pkgs and m.group(1) != pkg and not src[max(0,m.start()-7):m.start()].startswith('import'):
                edges[pkg].add(m.group(1))
# Tarjan
index = {}; low = {}; stack = []; on = set(); sccs = []; counter = [0]
sys.setrecursionlimit(10000)
def strong(v):
    index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index: strong(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        sccs.append(comp)
for v in list(pkgs): 
    if v not in index: strong(v)
print('package                                  files  lines')
total_f = total_l = 0
for pkg in sorted(pkgs):
    n = len(pkgs[pkg]); l = sum(sum(1 for _ in open(p)) for p in pkgs[pkg]); total_f += n; total_l += l
    print(f'{pkg[len(PFX)+1:] or "(root)":40} {n:5} {l:6}   -> {", ".join(sorted(t[len(PFX)+1:] for t in edges[pkg]))}')
print(f'{"total":40} {total_f:5} {total_l:6}')
bad = 0
for c in sccs:
    if len(c) > 1:
        bad += 1; print('CYCLE:', ' <-> '.join(sorted(x[len(PFX)+1:] for x in c)))
for pkg in sorted(pkgs):
    if len(pkgs[pkg]) > 15: bad += 1; print('OVER 15 FILES:', pkg, len(pkgs[pkg]))
for pkg in sorted(pkgs):
    for p in pkgs[pkg]:
        l = sum(1 for _ in open(p))
        if l > 300: bad += 1; print('OVER 300 LINES:', p, l)
for d, _, fs in os.walk('src/test/java'):
    n = len([f for f in fs if f.endswith('.java')])
    if n > 15: bad += 1; print('OVER 15 FILES:', d, n)
print('problems:', bad)
sys.exit(1 if bad else 0)
