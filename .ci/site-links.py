#!/usr/bin/env python3
"""Checks every link of an exported site without a browser.

    python3 .ci/site-links.py SITE_DIR

For every .html file under SITE_DIR (the API docs under docs/ excepted: DocC writes those),
every href and src must name a file of the site, and a #fragment must be an id of the page it
points to; no page may load or link anything from outside the site (http:, https:, //, or any
other scheme but mailto:). The search index's entries are checked the same way. Prints one
line per problem and exits 1 when there is any.
"""
import html.parser
import json
import os
import sys
import urllib.parse


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))

    handle_startendtag = handle_starttag


def main(site):
    site = os.path.realpath(site)
    pages = {}
    for folder, dirs, files in os.walk(site):
        rel = os.path.relpath(folder, site)
        if rel == "docs" or rel.startswith("docs" + os.sep):
            dirs[:] = []
            continue
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                page = Page()
                with open(path, encoding="utf-8") as f:
                    page.feed(f.read())
                pages[path] = page
    problems = []

    def check(source, target, what):
        parts = urllib.parse.urlsplit(target)
        if parts.scheme == "mailto":
            return
        if parts.scheme or parts.netloc or target.startswith("//"):
            problems.append(f"{source}: {what} leaves the site: {target}")
            return
        path = os.path.normpath(os.path.join(os.path.dirname(source), urllib.parse.unquote(parts.path))) if parts.path else source
        if not path.startswith(site + os.sep) and path != site:
            problems.append(f"{source}: {what} points outside the site folder: {target}")
            return
        if not os.path.exists(path):
            problems.append(f"{source}: {what} names a missing file: {target}")
            return
        if parts.fragment:
            fragment = urllib.parse.unquote(parts.fragment)
            page = pages.get(path)
            if page is None:
                problems.append(f"{source}: {what} has an anchor into a file that is not a page: {target}")
            elif fragment not in page.ids:
                problems.append(f"{source}: {what} names a missing anchor: {target}")

    for path, page in sorted(pages.items()):
        for tag, name, value in page.links:
            check(path, value, f"<{tag} {name}>")
    index = os.path.join(site, "search-index.js")
    if os.path.exists(index):
        with open(index, encoding="utf-8") as f:
            text = f.read()
        data = json.loads(text[text.index("= ") + 2:text.rstrip().rindex(";")])
        for entry in data["entries"]:
            check(os.path.join(site, "index.html"), entry["url"], "search entry")
    else:
        problems.append(f"{index}: missing (learn-mp export writes it)")
    for line in problems:
        print("FAIL " + os.path.relpath(line.split(": ", 1)[0], os.getcwd()) + ": " + line.split(": ", 1)[1])
    print(f"links: {len(pages)} pages, {sum(len(p.links) for p in pages.values())} links and anchors, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "site"))
