#!/usr/bin/env python3
"""Structure check of the product sources (docs/architecture.md "Structure").

Reports, for spool/ libtrack/ epilog/ ingest/ report/ elf/:
  - source files over 700 lines;
  - functions over 120 lines, unless the comment right above the function
    says why ("Long on purpose: ...");
  - dependency cycles between modules: a module is a .c file (with its .h);
    module A depends on module B when A.c calls a function that B.c
    defines (not static). Types and macros from a header do not count:
    what matters is who calls whom. A cycle is printed as the modules of
    one strongly connected component.
  --graph prints the module graph in Graphviz dot instead
  (scripts/check_structure.py --graph | dot -Tsvg > modules.svg).

Exit status: 0 when nothing is reported, 1 otherwise.
"""
import os
import re
import sys

DIRS = ["spool", "libtrack", "epilog", "ingest", "report", "elf"]
MAX_FILE = 700
MAX_FUNC = 120
top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sources():
    for d in DIRS:
        for f in sorted(os.listdir(os.path.join(top, d))):
            if f.endswith((".c", ".h")):
                yield os.path.join(d, f)


def long_functions(path, lines):
    """(name, first line, length) of functions over MAX_FUNC lines. A
    function body is a '{' in column 0 up to the next '}' in column 0 (the
    project's style); its name is the identifier before the first '(' of
    the lines above the brace."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("{"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("}"):
                j += 1
            k = i - 1
            while k > 0 and "(" not in lines[k]:
                k -= 1
            while k > 0 and lines[k][:1] in (" ", "\t"):
                k -= 1   # continuation lines of the parameter list
            # __attribute__((...)) before the name is not the function's name
            head = re.sub(r"__attribute__\s*\(\(.*?\)\)", "", lines[k])
            m = re.search(r"(\w+)\s*\(", head)
            name = m.group(1) if m else "?"
            length = j - i + 1
            above = "\n".join(lines[max(0, k - 12):k])
            if length > MAX_FUNC and "Long on purpose:" not in above:
                out.append((name, k + 1, length))
            i = j
        i += 1
    return out


def strip_c(text):
    """The text without comments, string and character literals."""
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                  lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)


def exported(lines):
    """Names of the functions a .c file defines without static."""
    names = set()
    for i, line in enumerate(lines):
        if not line.startswith("{"):
            continue
        k = i - 1
        while k > 0 and "(" not in lines[k]:
            k -= 1
        while k > 0 and lines[k][:1] in (" ", "\t"):
            k -= 1
        # __attribute__((...)) before the name is not the function's name
        head = re.sub(r"__attribute__\s*\(\(.*?\)\)", "", lines[k])
        m = re.search(r"(\w+)\s*\(", head)
        if m and not lines[k].startswith("static") and m.group(1) != "main":
            names.add(m.group(1))
    return names


def module_graph():
    code, owner, dup = {}, {}, set()
    for p in sources():
        if not p.endswith(".c"):
            continue
        with open(os.path.join(top, p), errors="replace") as f:
            code[p] = strip_c(f.read())
        for name in exported(code[p].split("\n")):
            if name in owner:
                dup.add(name)   # defined by two programs: not a dependency
            owner[name] = p
    graph = {os.path.splitext(p)[0]: set() for p in code}
    for p, text in code.items():
        a = os.path.splitext(p)[0]
        for name in set(re.findall(r"\b(\w+)\s*\(", text)):
            q = owner.get(name)
            if q and q != p and name not in dup:
                graph[a].add(os.path.splitext(q)[0])
    return graph


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    graph = module_graph()
    if "--graph" in sys.argv[1:]:
        print("digraph modules {")
        for a in sorted(graph):
            for b in sorted(graph[a]):
                print(f'  "{a}" -> "{b}";')
        print("}")
        return 0
    bad = 0
    for p in sources():
        with open(os.path.join(top, p), errors="replace") as f:
            lines = f.read().split("\n")
        if len(lines) - 1 > MAX_FILE:
            print(f"{p}: {len(lines) - 1} lines (more than {MAX_FILE})")
            bad += 1
        if p.endswith(".c"):
            for name, line, length in long_functions(p, lines):
                print(f"{p}:{line}: {name}() is {length} lines (more than {MAX_FUNC}, "
                      "and no 'Long on purpose:' comment above it)")
                bad += 1
    for comp in cycles(graph):
        print("module cycle: " + " <-> ".join(comp))
        bad += 1
    print(f"check_structure: {bad} finding(s) in {', '.join(DIRS)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
