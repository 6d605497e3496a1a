#!/usr/bin/env python3
"""Checks every relative markdown link in README.md and docs/*.md: the file exists and, for #anchor, a heading gives it."""
import glob, os, re, sys
def slug(h):
    h = re.sub(r'[^\w\- ]', '', h.strip().lower())
    return h.replace(' ', '-')
def anchors(path):
    out, inb = set(), False
    for l in open(path, encoding='utf-8'):
        if l.lstrip().startswith('```'): inb = not inb; continue
        m = None if inb else re.match(r'#{1,6} (.*)', l)
        if m: out.add(slug(m.group(1)))
    return out
bad = n = 0
for f in ['README.md'] + sorted(glob.glob('docs/*.md')):
    text = open(f, encoding='utf-8').read()
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'[a-z]+:', target): continue
        n += 1
        path, _, frag = target.partition('#')
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(dest):
            print(f'{f}: {target}: no file {dest}'); bad += 1
        elif frag and dest.endswith('.md') and frag not in anchors(dest):
            print(f'{f}: {target}: no heading #{frag} in {dest}'); bad += 1
print(f'{n} relative links checked, {bad} broken'); sys.exit(1 if bad else 0)
