#!/usr/bin/env python3
"""Benchmark credlint (and, with --peers, the scanners people use today) on one corpus.

    python3 bench/bench.py dir /tmp/npm-corpus/pkgs --peers      # directory scan
    python3 bench/bench.py git /tmp/cargo-clone --peers           # full git history
    python3 bench/bench.py staged /tmp/cargo-staged --peers       # a staged change (hyperfine)
    python3 bench/bench.py dir /tmp/npm-corpus/pkgs --floor      # credlint against the floor
    python3 bench/bench.py git /tmp/cargo-clone --floor           # (ripgrep, git cat-file, start-up)

Builds credlint in release mode, runs every tool on the same input after one warm-up run,
and prints a Markdown table: median wall time of --runs runs, CPU time (user + system), peak
resident memory (from /usr/bin/time -v), MB/s over the bytes scanned, and findings.
Peers come from ../shared/bench/install-peers.sh (on PATH after `. /tmp/peers/env.sh`, or
found in /tmp/peers/bin). Machines here are shared and noisy: compare the tools within one
run of this script, not across runs.

--floor runs, beside credlint, what no scanner can beat on the same input and prints the ratio
against the target: for a directory, ripgrep reading every byte for a literal that is not there
(`rg -uuu -c zzqqxxvv`; target 2.0x); for a history, `git cat-file --batch-all-objects --batch
--unordered` inflating every object on one core (target 1.1x); for a staged change, process
start-up (`credlint --version`; target 3x).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEER_BIN = os.environ.get("PEERS_BIN", "/tmp/peers/bin")


def tool(name):
    found = shutil.which(name) or os.path.join(PEER_BIN, name)
    return found if os.path.exists(found) else None


def corpus_bytes(mode, path):
    if mode == "dir":
        total = 0
        for dirpath, _, files in os.walk(path):
            for f in files:
                p = os.path.join(dirpath, f)
                if os.path.isfile(p) and not os.path.islink(p):
                    total += os.path.getsize(p)
        return total
    # Unique blob bytes reachable from all refs.
    out = subprocess.run(
        "git rev-list --objects --all | cut -d' ' -f1 | git cat-file --batch-check='%(objecttype) %(objectsize)' | awk '$1==\"blob\"{s+=$2} END{printf \"%.0f\\n\", s}'",
        shell=True, cwd=path, capture_output=True, text=True, check=True)
    return int(out.stdout.strip() or 0)


def commands(mode, path, out):
    """(name, argv, cwd, findings-reader) for every tool available."""
    credlint = os.path.join(ROOT, "target", "release", "credlint")
    cmds = []
    if mode == "dir":
        cmds.append(("credlint", [credlint, "scan", path, "--format", "json", "-q", "--no-progress"], None, count_credlint))
    else:
        cmds.append(("credlint", [credlint, "git", path, "--format", "json", "-q", "--no-progress"], None, count_credlint))
    return cmds


def peer_commands(mode, path, out):
    cmds = []
    gl, bl, kf = tool("gitleaks"), tool("betterleaks"), tool("kingfisher")
    report = os.path.join(out, "peer.json")
    if mode == "dir":
        if gl:
            cmds.append(("gitleaks 8.30", [gl, "dir", path, "--no-banner", "--redact", "-f", "json", "-r", report, "--exit-code", "0"], None, count_json_list(report)))
        if bl:
            cmds.append(("betterleaks 2.0", [bl, "fs", path, "--no-banner", "--redact", "-o", report, "--exit-code", "0"], None, count_betterleaks(report)))
        if kf:
            cmds.append(("kingfisher 2.14", [kf, "scan", path, "--git-history", "none", "--no-validate", "--no-update-check", "-q", "-f", "json", "-o", report], None, count_kingfisher(report)))
    else:
        if gl:
            cmds.append(("gitleaks 8.30", [gl, "git", ".", "--no-banner", "--redact", "-f", "json", "-r", report, "--exit-code", "0"], path, count_json_list(report)))
        if bl:
            cmds.append(("betterleaks 2.0", [bl, "git", ".", "--no-banner", "--redact", "-o", report, "--exit-code", "0"], path, count_betterleaks(report)))
        if kf:
            cmds.append(("kingfisher 2.14", [kf, "scan", path, "--no-validate", "--no-update-check", "-q", "-f", "json", "-o", report], None, count_kingfisher(report)))
    return cmds


def count_credlint(stdout):
    try:
        return json.loads(stdout)["summary"]["findings"]["total"]
    except Exception:
        return "?"


def count_json_list(path):
    def count(_):
        try:
            with open(path) as f:
                return len(json.load(f))
        except Exception:
            return "?"
    return count


def count_betterleaks(path):
    def count(_):
        try:
            with open(path) as f:
                data = json.load(f)
            return len(data["findings"] if isinstance(data, dict) else data)
        except Exception:
            return "?"
    return count


def count_kingfisher(path):
    def count(_):
        try:
            with open(path) as f:
                text = f.read()
            data = json.loads(text)
            if isinstance(data, dict):
                for key in ("findings", "matches", "results"):
                    if key in data:
                        return len(data[key])
            return len(data)
        except Exception:
            return "?"
    return count


def measure(argv, cwd):
    """One run under /usr/bin/time -v: (wall s, cpu s, peak MiB, stdout)."""
    timed = ["/usr/bin/time", "-v"] + argv
    proc = subprocess.run(timed, cwd=cwd, capture_output=True, text=True)
    wall = cpu = rss = None
    for line in proc.stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            value = line.split(": ", 1)[1]
            parts = [float(p) for p in value.split(":")]
            wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        elif line.startswith("User time (seconds)"):
            cpu = (cpu or 0) + float(line.split(": ")[1])
        elif line.startswith("System time (seconds)"):
            cpu = (cpu or 0) + float(line.split(": ")[1])
        elif line.startswith("Maximum resident set size"):
            rss = int(line.split(": ")[1]) / 1024
    if wall is None:
        sys.exit(f"could not time {argv[0]}:\n{proc.stderr[-2000:]}")
    return wall, cpu, rss, proc.stdout


def bench_staged(repo, peers, runs, floor=False):
    """A pre-commit run is tens of milliseconds: /usr/bin/time is too coarse, so this uses
    hyperfine (Debian package `hyperfine`) for the median of many runs, next to the process
    start-up (`credlint --version`) it should be dominated by."""
    hyperfine = shutil.which("hyperfine")
    if not hyperfine:
        sys.exit("staged mode needs hyperfine (apt-get install hyperfine)")
    credlint = os.path.join(ROOT, "target", "release", "credlint")
    out = tempfile.mkdtemp(prefix="credlint-bench-")
    cmds = [f"{credlint} --version", f"{credlint} staged -q --format json"]
    gl, bl = tool("gitleaks"), tool("betterleaks")
    if peers and gl:
        cmds.append(f"{gl} git --staged . --no-banner --redact -f json -r {out}/gl.json --exit-code 0")
    if peers and bl:
        cmds.append(f"{bl} git --staged . --no-banner --redact -o {out}/bl.json --exit-code 0")
    report = os.path.join(out, "hyperfine.json")
    subprocess.run([hyperfine, "-N", "-w", "3", "-r", str(runs), "--export-json", report] + cmds,
                   cwd=repo, check=True, capture_output=True)
    staged = subprocess.run(["git", "diff", "--cached", "--shortstat"], cwd=repo,
                            capture_output=True, text=True).stdout.strip()
    print(f"repository: {repo} (staged: {staged}), {os.cpu_count()} cores, median of {runs} runs after 3 warm-ups\n")
    print("| command | median ms | user ms | system ms |")
    print("|---|---:|---:|---:|")
    with open(report) as f:
        results = json.load(f)["results"]
    for r in results:
        name = r["command"].replace(ROOT + "/target/release/", "").replace(PEER_BIN + "/", "")
        name = name.replace(out + "/", "")
        print(f"| `{name}` | {r['median'] * 1000:.1f} | {r['user'] * 1000:.1f} | {r['system'] * 1000:.1f} |")
    if floor:
        ratio = results[1]["median"] / max(results[0]["median"], 1e-9)
        print(f"\ncredlint staged / start-up: {ratio:.2f}x (target at most {FLOOR_TARGETS['staged']}x)")
    shutil.rmtree(out, ignore_errors=True)


FLOOR_TARGETS = {"dir": 2.0, "git": 1.1, "staged": 3.0}


def floor_commands(mode, path):
    """(name, argv, cwd) of the floor for `mode`."""
    if mode == "dir":
        rg = shutil.which("rg")
        if not rg:
            sys.exit("--floor needs ripgrep for a directory (apt-get install ripgrep)")
        return ("ripgrep, every byte (rg -uuu -c zzqqxxvv)", [rg, "-uuu", "-c", "zzqqxxvv", path], None)
    return ("git cat-file --batch-all-objects --batch --unordered (one core)",
            ["sh", "-c", "git cat-file --batch-all-objects --batch --unordered > /dev/null"], path)


def bench_floor(mode, path, runs):
    size = corpus_bytes(mode, path)
    credlint_name, credlint_argv, credlint_cwd, count = commands(mode, path, None)[0]
    floor_name, floor_argv, floor_cwd = floor_commands(mode, path)
    print(f"corpus: {path} ({mode}), {size / 1e6:.1f} MB, {os.cpu_count()} cores, median of {runs} runs after a warm-up\n")
    print("| command | wall s | CPU s | peak MiB | MB/s |")
    print("|---|---:|---:|---:|---:|")
    results = {}
    for name, argv, cwd in [(floor_name, floor_argv, floor_cwd), (credlint_name, credlint_argv, credlint_cwd)]:
        measure(argv, cwd)
        timed = [measure(argv, cwd) for _ in range(runs)]
        wall = statistics.median(r[0] for r in timed)
        cpu = statistics.median(r[1] for r in timed)
        rss = max(r[2] for r in timed)
        results[name] = wall
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {size / 1e6 / wall:.0f} |", flush=True)
    ratio = results[credlint_name] / max(results[floor_name], 1e-9)
    print(f"\ncredlint / floor: {ratio:.2f}x (target at most {FLOOR_TARGETS[mode]}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["dir", "git", "staged"])
    parser.add_argument("path")
    parser.add_argument("--peers", action="store_true", help="also run gitleaks, betterleaks and kingfisher")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--floor", action="store_true", help="credlint against the physical floor of the work")
    args = parser.parse_args()
    path = os.path.abspath(args.path)
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    if args.mode == "staged":
        return bench_staged(path, args.peers, max(args.runs, 30), args.floor)
    if args.floor:
        return bench_floor(args.mode, path, args.runs)
    size = corpus_bytes(args.mode, path)
    out = tempfile.mkdtemp(prefix="credlint-bench-")
    cmds = commands(args.mode, path, out)
    if args.peers:
        cmds += peer_commands(args.mode, path, out)
    print(f"corpus: {path} ({args.mode}), {size / 1e6:.1f} MB, {os.cpu_count()} cores, median of {args.runs} runs after a warm-up\n")
    print("| tool | wall s | CPU s | peak MiB | MB/s | findings |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, argv, cwd, count in cmds:
        measure(argv, cwd)  # warm-up: page cache, rule caches
        runs = [measure(argv, cwd) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        findings = count(runs[-1][3])
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {size / 1e6 / wall:.0f} | {findings} |", flush=True)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
