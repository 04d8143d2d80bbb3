/* learn-mp — offline search over the lessons' titles, headings, prose and code.
 * The index (search-index.js, written by `learn-mp export`) is loaded the first time the
 * search box is used: one entry per lesson section and, for every two-character sequence of
 * the lower-cased text, the entries that hold it. Chinese has no spaces between words, so a
 * query is matched as a substring: its character pairs pick the candidates, a plain substring
 * test confirms them. No network; works from file://.
 * Keys: "/" (or Ctrl+K) focuses the box, Up/Down choose a result, Enter opens it, Escape
 * closes the list. `?selftest` searches for 进程池 and imap_unordered and writes the outcome
 * to <html data-search-selftest="..."> for the browser check.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  var base = root.getAttribute("data-root") || "";
  var english = /^en/i.test(root.lang || "");
  var words = english
    ? { none: "No results", count: function (n) { return n + (n === 1 ? " result" : " results"); }, failed: "The search index could not be loaded." }
    : { none: "没有结果", count: function (n) { return n + " 个结果"; }, failed: "无法加载搜索索引。" };
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  if (!input || !list) return;

  var index = null;
  var waiting = [];
  var active = -1;
  var shown = [];
  var MAX = 12;

  // MARK: - Loading the index

  function load(done) {
    if (index) { done(); return; }
    waiting.push(done);
    if (waiting.length > 1) return;
    var script = document.createElement("script");
    script.src = base + "search-index.js";
    script.onload = function () { prepare(window.learnMPSearchIndex || null); };
    script.onerror = function () { prepare(null); };
    document.head.appendChild(script);
  }

  function prepare(data) {
    index = data || { entries: [], pairs: {}, failed: true };
    index.entries.forEach(function (entry) {
      entry.lessonLower = entry.lesson.toLowerCase();
      entry.headingLower = entry.heading.toLowerCase();
      entry.textLower = entry.text.toLowerCase();
      entry.codeLower = entry.code.toLowerCase();
    });
    waiting.splice(0).forEach(function (done) { done(); });
  }

  // MARK: - Matching

  function pairsOf(term) {
    var chars = Array.from(term);
    var pairs = [];
    for (var i = 0; i + 1 < chars.length; i++) pairs.push(chars[i] + chars[i + 1]);
    return pairs;
  }

  function intersect(a, b) {
    var out = [];
    var i = 0;
    var j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) { i++; } else { j++; }
    }
    return out;
  }

  /* The entries holding every pair of `term`, or null when it has none (one character). */
  function candidates(term) {
    var found = null;
    var pairs = pairsOf(term);
    for (var i = 0; i < pairs.length; i++) {
      var posting = index.pairs[pairs[i]] || [];
      found = found ? intersect(found, posting) : posting.slice();
      if (!found.length) break;
    }
    return found;
  }

  function occurrences(text, term) {
    var n = 0;
    for (var at = text.indexOf(term); at >= 0 && n < 20; at = text.indexOf(term, at + term.length)) n++;
    return n;
  }

  /* The best entries for `query`: every whitespace-separated term must occur; a term in the
     heading counts most, then each occurrence in the prose, then the lesson's title and each
     occurrence in code. */
  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length || !index) return [];
    var pool = null;
    terms.forEach(function (term) {
      var found = candidates(term);
      if (found) pool = pool ? intersect(pool, found) : found;
    });
    if (!pool) pool = index.entries.map(function (_, i) { return i; });
    var results = [];
    pool.forEach(function (i) {
      var entry = index.entries[i];
      var score = 0;
      var all = terms.every(function (term) {
        var s = (entry.headingLower.indexOf(term) >= 0 ? 10 : 0) + (entry.lessonLower.indexOf(term) >= 0 ? 2 : 0)
          + 3 * occurrences(entry.textLower, term) + occurrences(entry.codeLower, term);
        score += s;
        return s > 0;
      });
      if (all) results.push({ entry: entry, score: score, terms: terms });
    });
    results.sort(function (a, b) { return b.score - a.score; });
    return results;
  }

  // MARK: - Showing results

  function escapeHTML(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  /* Up to 80 characters around the first term found in the prose (else the code), terms marked. */
  function snippet(entry, terms) {
    var source = entry.text;
    var lower = entry.textLower;
    var at = -1;
    terms.some(function (term) { at = lower.indexOf(term); return at >= 0; });
    if (at < 0) {
      source = entry.code.replace(/\s+/g, " ");
      lower = source.toLowerCase();
      terms.some(function (term) { at = lower.indexOf(term); return at >= 0; });
    }
    var start = Math.max(0, at - 30);
    var text = (start > 0 ? "…" : "") + source.slice(start, start + 80) + (start + 80 < source.length ? "…" : "");
    var html = escapeHTML(text);
    terms.forEach(function (term) {
      var pattern = new RegExp(escapeHTML(term).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
      html = html.replace(pattern, function (m) { return "<mark>" + m + "</mark>"; });
    });
    return html;
  }

  function render(results) {
    shown = results.slice(0, MAX);
    active = -1;
    input.removeAttribute("aria-activedescendant");
    var html = "";
    if (index && index.failed) {
      html = '<li class="search-empty" role="option" aria-disabled="true">' + words.failed + "</li>";
    } else if (!shown.length) {
      html = '<li class="search-empty" role="option" aria-disabled="true">' + words.none + "</li>";
    } else {
      shown.forEach(function (result, i) {
        var entry = result.entry;
        var where = escapeHTML(entry.lesson) + (entry.heading ? " › " + escapeHTML(entry.heading) : "");
        html += '<li id="search-option-' + i + '" role="option" aria-selected="false" data-href="' + escapeHTML(base + entry.url) + '">'
          + '<span class="search-where">' + where + "</span>"
          + '<span class="search-snippet">' + snippet(entry, result.terms) + "</span></li>";
      });
    }
    list.innerHTML = html;
    list.setAttribute("data-count", words.count(results.length));
    open(true);
  }

  function open(yes) {
    list.hidden = !yes;
    input.setAttribute("aria-expanded", yes ? "true" : "false");
  }

  function choose(i) {
    var options = list.querySelectorAll('[role="option"][id]');
    if (!options.length) return;
    active = (i + options.length) % options.length;
    options.forEach(function (option, n) { option.setAttribute("aria-selected", n === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", options[active].id);
    options[active].scrollIntoView({ block: "nearest" });
  }

  function go(i) {
    var option = document.getElementById("search-option-" + i);
    if (option) location.href = option.getAttribute("data-href");
  }

  function update() {
    var query = input.value.trim();
    if (!query) { list.innerHTML = ""; open(false); return; }
    load(function () { if (input.value.trim() === query) render(search(query)); });
  }

  input.addEventListener("input", update);
  input.addEventListener("focus", function () { load(function () {}); if (input.value.trim()) update(); });
  input.addEventListener("keydown", function (event) {
    switch (event.key) {
      case "ArrowDown": event.preventDefault(); if (list.hidden) update(); choose(active + 1); break;
      case "ArrowUp": event.preventDefault(); choose(active - 1); break;
      case "Enter": event.preventDefault(); go(active >= 0 ? active : 0); break;
      case "Escape":
        if (!list.hidden) { open(false); } else { input.value = ""; input.blur(); }
        event.preventDefault();
        break;
      default: return;
    }
  });
  input.form.addEventListener("submit", function (event) { event.preventDefault(); });
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var option = event.target.closest('[role="option"][id]');
    if (option) location.href = option.getAttribute("data-href");
  });
  input.addEventListener("blur", function () { open(false); });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if ((event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey)
        || (event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });

  // MARK: - Self test

  function selfTest() {
    var failures = [];
    var found = [];
    ["进程池", "imap_unordered"].forEach(function (query) {
      var results = search(query);
      var term = query.toLowerCase();
      var real = results.filter(function (r) {
        var e = r.entry;
        return (e.lessonLower + e.headingLower + e.textLower + e.codeLower).indexOf(term) >= 0;
      });
      if (!results.length || real.length !== results.length) failures.push(query + ": " + results.length + " results, " + real.length + " real");
      found.push(query + ":" + results.length);
    });
    if (search("zzzq-no-such-text").length) failures.push("a query found text that is nowhere");
    // The keyboard: "/" focuses the box, typing lists results, Down chooses the first.
    document.dispatchEvent(new KeyboardEvent("keydown", { key: "/", bubbles: true }));
    if (document.activeElement !== input) failures.push("/ did not focus the search box");
    input.value = "imap_unordered";
    render(search(input.value));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    if (input.getAttribute("aria-activedescendant") !== "search-option-0") failures.push("ArrowDown chose no result");
    var first = document.getElementById("search-option-0");
    if (!first || !/lessons\/[^"]+\.html/.test(first.getAttribute("data-href"))) failures.push("the first result links nowhere");
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    if (!list.hidden) failures.push("Escape did not close the list");
    input.value = "";
    input.blur();
    var outcome = failures.length ? "fail " + failures.join("; ") : "pass " + found.join(" ");
    root.setAttribute("data-search-selftest", outcome);
    if (window.parent !== window) window.parent.postMessage({ name: "search-selftest", value: outcome }, "*");
  }

  if (/[?&]selftest\b/.test(location.search)) load(selfTest);
})();
