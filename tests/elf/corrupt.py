#!/usr/bin/env python3
"""Writes broken variants of a little-endian ELF64 file into OUTDIR and prints
one line per variant: "<expect> <path>", expect being "error" (track-elf must
reject it) or "any" (it may read it or reject it, but must not crash).
Usage: corrupt.py ELF OUTDIR"""
import os
import random
import struct
import sys

src, outdir = sys.argv[1], sys.argv[2]
data = bytearray(open(src, "rb").read())
assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "need an ELF64 LE file"
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
phdrs = []
for i in range(phnum):
    o = phoff + i * phentsize
    p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
        struct.unpack_from("<IIQQQQQQ", data, o)
    phdrs.append(dict(idx=o, type=p_type, offset=p_offset, filesz=p_filesz))
PT_DYNAMIC, PT_INTERP, PT_NOTE = 2, 3, 4


def first(t):
    return next(p for p in phdrs if p["type"] == t)


def emit(name, expect, buf):
    path = os.path.join(outdir, name)
    with open(path, "wb") as f:
        f.write(buf)
    print(expect, path)


def patched(off, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, value)
    return b


def dyn_entry(tag):
    d = first(PT_DYNAMIC)
    for o in range(d["offset"], d["offset"] + d["filesz"], 16):
        t, = struct.unpack_from("<q", data, o)
        if t == tag:
            return o
    raise SystemExit("no dynamic tag %d" % tag)


emit("empty", "error", b"")
emit("text", "error", b"#!/bin/sh\necho not elf\n")
emit("trunc-ehdr", "error", data[:30])
emit("trunc-phdr", "error", data[:phoff + phentsize + 8])
note, dyn, interp = first(PT_NOTE), first(PT_DYNAMIC), first(PT_INTERP)
emit("trunc-dynamic", "error", data[:dyn["offset"] + 8])
emit("note-namesz", "error", patched(note["offset"], "<I", 0x7FFFFFFF))
emit("note-descsz", "error", patched(note["offset"] + 4, "<I", 0x7FFFFFF0))
emit("note-offset", "error", patched(note["idx"] + 8, "<Q", len(data) + 100))
emit("note-filesz", "error", patched(note["idx"] + 32, "<Q", 1 << 40))
emit("dyn-offset", "error", patched(dyn["idx"] + 8, "<Q", len(data) - 4))
emit("dyn-strtab", "error", patched(dyn_entry(5) + 8, "<Q", 0xDEAD0000000))
emit("dyn-strsz", "error", patched(dyn_entry(10) + 8, "<Q", 1 << 40))
emit("dyn-needed", "error", patched(dyn_entry(1) + 8, "<Q", 0x7FFFFFFF))
b = bytearray(data)
b[interp["offset"]:interp["offset"] + interp["filesz"]] = b"A" * interp["filesz"]
emit("interp-unterminated", "error", b)
emit("phnum-xnum", "error", patched(0x38, "<H", 0xFFFF))
emit("phnum-big", "error", patched(0x38, "<H", 0x1000))
emit("phnum-zero", "error", patched(0x38, "<H", 0))
emit("phoff", "error", patched(0x20, "<Q", 1 << 60))
emit("class", "any", patched(4, "<B", 1))
emit("endian", "any", patched(5, "<B", 2))
rnd = random.Random(1234)
for i in range(40):
    b = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        b[rnd.randrange(min(len(b), 4096))] = rnd.randrange(256)
    emit("flip-%02d" % i, "any", b)
for cut in (64, 200, 700, len(data) // 3, len(data) // 2, len(data) - 1):
    emit("trunc-%d" % cut, "any", data[:cut])
