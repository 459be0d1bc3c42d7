#!/usr/bin/env python3
"""Writes a gateway configuration with many routes for the benchmarks (rss.sh, proxy-bench.sh).

Route i is /svc<i/50>/* on host h<i%50>.example (50 hosts, prefix paths), all to the origin on
127.0.0.1:9100. --only I writes route I alone: the one route a many-route run asks, served by a
gateway that has nothing else.

Usage: routes-config.py N PORT FILE [--plugins-dir DIR] [--only I]
"""
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("n", type=int)
parser.add_argument("port")
parser.add_argument("file")
parser.add_argument("--plugins-dir")
parser.add_argument("--only", type=int)
args = parser.parse_args()
with open(args.file, "w") as f:
    f.write("tidegate:\n  listeners: [{ address: 127.0.0.1:%s }]\n" % args.port)
    if args.plugins_dir:
        f.write("  plugins_dir: %s\n" % args.plugins_dir)
    f.write("upstreams:\n  - { id: origin, nodes: { \"127.0.0.1:9100\": 1 } }\nroutes:\n")
    for i in [args.only] if args.only is not None else range(args.n):
        f.write("  - { id: r%d, uri: /svc%d/*, host: h%d.example, upstream_id: origin }\n" % (i, i // 50, i % 50))
