#!/usr/bin/env python3
"""Checks that every relative link in the README and docs/ points at a file
(and, for `#anchor` links into Markdown, at a heading) that exists."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
pages = [root / "README.md", root / "CHANGELOG.md", *sorted((root / "docs").glob("*.md"))]
link = re.compile(r"\]\(([^)\s]+)\)")


def anchors(page):
    text = page.read_text(encoding="utf-8")
    heads = re.findall(r"^#+\s+(.*)$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in heads}


broken = []
for page in pages:
    for target in link.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+://", target) or target.startswith("mailto:"):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{page.relative_to(root)}: {target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{page.relative_to(root)}: {target} (no such heading)")
print("\n".join(broken) if broken else f"links ok in {len(pages)} pages")
sys.exit(1 if broken else 0)
