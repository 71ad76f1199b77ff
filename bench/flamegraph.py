#!/usr/bin/env python3
"""CPU flame graph (SVG) from JDK Flight Recorder files, with no other tool than the JDK's `jfr`.

Usage: bench/flamegraph.py OUT.svg TITLE FILE.jfr[:label] [FILE.jfr[:label] ...]
Reads the jdk.ExecutionSample events (`jfr print --stack-depth 96`), one root per file (its label, e.g.
the node name), then the thread group (thread name without its number), then the frames root to leaf.
Prints the collapsed stacks' top self-time frames and the share of samples under dev.vxext frames.
"""
import collections
import html
import re
import subprocess
import sys

FRAME_LINE = re.compile(r"^\s+(\S.*?)(?:\s+line: \d+)?(?:\s+bci: \d+)?\s*$")


def stacks(path, label):
    out = subprocess.run(["jfr", "print", "--stack-depth", "96", "--events", "jdk.ExecutionSample", path],
                         check=True, capture_output=True, text=True).stdout
    counts = collections.Counter()
    thread, frames, in_stack = None, [], False
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("sampledThread = "):
            m = re.match(r'sampledThread = "([^"]*)"', s)
            thread = re.sub(r"[-#]?\d+$", "", m.group(1)) if m else "?"
        elif s.startswith("stackTrace = ["):
            in_stack, frames = True, []
        elif in_stack and s == "]":
            in_stack = False
            counts[tuple([label, thread or "?"] + list(reversed(frames)))] += 1
        elif in_stack and s and s != "...":
            m = FRAME_LINE.match(line)
            if m:
                frames.append(re.sub(r"\(.*\)", "()", m.group(1)))
    return counts


def tree(counts):
    root = {"n": 0, "c": {}}
    for st, n in counts.items():
        node = root
        node["n"] += n
        for f in st:
            node = node["c"].setdefault(f, {"n": 0, "c": {}})
            node["n"] += n
    return root


def color(name):
    if name.startswith("dev.vxext"):
        return "#e8743b"
    if name.startswith("io.vertx"):
        return "#f2b134"
    if name.startswith("io.netty"):
        return "#c9d66b"
    if name.startswith("java.") or name.startswith("jdk.") or name.startswith("sun."):
        return "#8fb9e0"
    return "#d9d9d9"


def svg(root, title, width=1800, row=16):
    rects = []
    depth_max = [0]

    def walk(node, name, x, depth):
        w = width * node["n"] / root["n"]
        if w < 1.5:
            return
        depth_max[0] = max(depth_max[0], depth)
        rects.append((x, depth, w, name, node["n"]))
        cx = x
        for child_name, child in sorted(node["c"].items(), key=lambda kv: -kv[1]["n"]):
            walk(child, child_name, cx, depth + 1)
            cx += width * child["n"] / root["n"]

    walk(root, "all", 0, 0)
    height = (depth_max[0] + 3) * row
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="11">',
           f'<text x="4" y="12" font-size="13">{html.escape(title)} — {root["n"]} samples (hover a frame for its count)</text>']
    for x, depth, w, name, n in rects:
        y = height - (depth + 1) * row
        label = name if len(name) * 6.5 < w else name[: max(0, int(w / 6.5) - 2)] + ".." if w > 20 else ""
        out.append(f'<g><title>{html.escape(name)} — {n} samples ({100.0 * n / root["n"]:.1f}%)</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{max(w - 0.5, 0.1):.1f}" height="{row - 1}" fill="{color(name)}"/>'
                   f'<text x="{x + 2:.1f}" y="{y + row - 4}">{html.escape(label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def main():
    out, title, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    counts = collections.Counter()
    for f in files:
        path, _, label = f.partition(":")
        counts.update(stacks(path, label or path))
    root = tree(counts)
    with open(out, "w") as fh:
        fh.write(svg(root, title))
    total = sum(counts.values())
    self_time = collections.Counter()
    ours = collections.Counter()
    for st, n in counts.items():
        self_time[(st[0], st[-1])] += n
        for f in st[2:]:
            if f.startswith("dev.vxext"):
                ours[st[0]] += n
                break
    per_label = collections.Counter()
    for st, n in counts.items():
        per_label[st[0]] += n
    print(f"{total} samples; {out}")
    for label, n in per_label.items():
        print(f"  {label}: {n} samples, {100.0 * ours[label] / n:.1f}% under a dev.vxext frame")
    print("top self-time frames:")
    for (label, frame), n in self_time.most_common(25):
        print(f"  {100.0 * n / total:5.1f}%  {label}  {frame}")


if __name__ == "__main__":
    main()
