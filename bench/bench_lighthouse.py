"""Lighthouse scores of the web page and the report, per page and preset (mobile, desktop).

    npm install --prefix .tools lighthouse@13      (once; Debian's chromium is used)
    .venv/bin/python bench/bench_lighthouse.py --url http://127.0.0.1:8000 [--pages inicio,ficha]

Runs `lighthouse` headless (--no-sandbox) against a running `filmoteca serve` and prints, per
page and preset, the four category scores (performance, accessibility, best practices, SEO)
and the largest contentful paint. Targets: >= 95 everywhere on /app; on /reporte (mobile)
>= 90 performance and 100 accessibility.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / ".tools" / "node_modules" / ".bin" / "lighthouse"
PAGES = {
    "inicio": "/app#/",
    "ficha": "/app#/pelicula/19995",
    "persona": "/app#/persona/Tom%20Hanks",
    "descubrir": "/app#/descubrir?orden=votos",
    "reporte": "/reporte",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def run(url: str, preset: str, lighthouse: Path = LIGHTHOUSE) -> dict[str, float]:
    """One Lighthouse run: the four scores (0-100) and LCP in seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lh.json"
        command = [str(lighthouse), url, "--quiet", "--output=json", f"--output-path={out}"]
        command += ["--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
        if preset == "desktop":
            command.append("--preset=desktop")
        env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:  # e.g. /reporte before `filmoteca report`: say so, go on
            raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "?")
        report = json.loads(out.read_text())
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    lcp = report["audits"]["largest-contentful-paint"]["numericValue"] / 1000
    return {**scores, "lcp_s": round(lcp, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--presets", default="mobile,desktop")
    parser.add_argument("--lighthouse", type=Path, default=LIGHTHOUSE, help="the lighthouse binary")
    args = parser.parse_args()
    version = subprocess.run([str(args.lighthouse), "--version"], capture_output=True, text=True)
    print(f"Lighthouse {version.stdout.strip()}, Chromium de /usr/bin/chromium")
    print(
        f"{'página':<10} {'preset':<8} {'perf':>5} {'a11y':>5} {'b.pr.':>5} {'seo':>5} {'LCP':>7}"
    )
    for name in args.pages.split(","):
        for preset in args.presets.split(","):
            try:
                s = run(args.url + PAGES[name], preset, args.lighthouse)
            except RuntimeError as error:
                print(f"{name:<10} {preset:<8} no se pudo medir: {error}", flush=True)
                continue
            print(
                f"{name:<10} {preset:<8} {s['performance']:>5} {s['accessibility']:>5} "
                f"{s['best-practices']:>5} {s['seo']:>5} {s['lcp_s']:>6.2f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
