/* learn-mp — sample tabs (Python | Node.js | Swift).
 * Without this script every panel is shown, stacked, each with its own heading.
 * With it: ARIA tabs (WAI-ARIA Authoring Practices, automatic activation). Left/Right arrows,
 * Home and End move between tabs; the chosen language applies to every sample on the page
 * and is remembered for the next page. Code samples get a "Copy" button, labelled in the page's language.
 * `?selftest` in the page address exercises every tab list and writes the result to
 * <html data-tabs-selftest="pass ..."> for the headless browser check, and whether the page
 * fits the window to <html data-layout-selftest="...">, and whether every table cell with text
 * is at least five characters wide to <html data-columns-selftest="...">.
 */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var STORE = "learn-mp.lang";

  /* A self-test outcome: on <html data-NAME>, and told to the page that frames this one (the
     browser check loads pages in a 390 px frame, as a phone shows them). */
  function report(name, value) {
    root.setAttribute("data-" + name, value);
    if (window.parent !== window) window.parent.postMessage({ name: name, value: value }, "*");
  }
  /* The buttons speak the page's language (the lesson's). */
  var words = /^en/i.test(root.lang || "")
    ? { copy: "Copy", copied: "Copied", manual: "Select and copy", copySample: "Copy the code of the selected language", copyCode: "Copy the code" }
    : { copy: "复制", copied: "已复制", manual: "请选中后复制", copySample: "复制所选语言的代码", copyCode: "复制代码" };

  function tabsOf(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
  }

  function select(tab, focus) {
    var list = tab.closest('[role="tablist"]');
    tabsOf(list).forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    if (focus) tab.focus();
  }

  function selectLanguage(lang, except) {
    document.querySelectorAll('[role="tab"][data-lang="' + lang + '"]').forEach(function (tab) {
      if (tab !== except) select(tab, false);
    });
  }

  function remember(lang) {
    try { localStorage.setItem(STORE, lang); } catch (e) { /* storage may be off */ }
  }

  function onKey(event) {
    var tabs = tabsOf(event.currentTarget);
    var index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    var next = null;
    switch (event.key) {
      case "ArrowRight": next = tabs[(index + 1) % tabs.length]; break;
      case "ArrowLeft": next = tabs[(index - 1 + tabs.length) % tabs.length]; break;
      case "Home": next = tabs[0]; break;
      case "End": next = tabs[tabs.length - 1]; break;
      default: return;
    }
    event.preventDefault();
    select(next, true);
    selectLanguage(next.dataset.lang, next);
    remember(next.dataset.lang);
  }

  /* A "Copy" button for code: one in each sample's tab bar (copies the visible language), one
     on each plain code block. Only with JavaScript, which does the copying. */
  function copyButton(source) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = words.copy;
    button.addEventListener("click", function () {
      var pre = source();
      function done(ok) {
        button.textContent = ok ? words.copied : words.manual;
        setTimeout(function () { button.textContent = words.copy; }, 1500);
      }
      if (pre && navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(pre.textContent).then(function () { done(true); }, function () { done(false); });
      } else {
        done(false);
      }
    });
    return button;
  }

  function addCopyButtons() {
    document.querySelectorAll('[role="tablist"]').forEach(function (list) {
      var button = copyButton(function () {
        var tab = list.querySelector('[aria-selected="true"]');
        var panel = tab && document.getElementById(tab.getAttribute("aria-controls"));
        return panel && panel.querySelector("pre");
      });
      button.setAttribute("aria-label", words.copySample);
      button.classList.add("copy-sample");
      list.parentNode.insertBefore(button, list.nextSibling);
    });
    document.querySelectorAll("pre.code-block").forEach(function (pre) {
      var box = document.createElement("div");
      box.className = "has-copy";
      pre.parentNode.insertBefore(box, pre);
      box.appendChild(pre);
      var button = copyButton(function () { return pre; });
      button.setAttribute("aria-label", words.copyCode);
      box.insertBefore(button, pre);
    });
  }

  function init() {
    addCopyButtons();
    var lists = document.querySelectorAll('[role="tablist"]');
    lists.forEach(function (list) {
      list.addEventListener("keydown", onKey);
      tabsOf(list).forEach(function (tab) {
        tab.addEventListener("click", function () {
          select(tab, false);
          selectLanguage(tab.dataset.lang, tab);
          remember(tab.dataset.lang);
        });
      });
      var first = list.querySelector('[aria-selected="true"]') || tabsOf(list)[0];
      if (first) select(first, false);
    });
    var saved = null;
    try { saved = localStorage.getItem(STORE); } catch (e) { /* ignore */ }
    if (saved) selectLanguage(saved, null);
    if (/[?&]selftest\b/.test(location.search)) selfTest(lists);
  }

  /* Clicks every tab and presses the arrow keys in every tab list; checks that exactly the
     chosen panel is visible each time. */
  function selfTest(lists) {
    var failures = [];
    function visiblePanels(list) {
      return tabsOf(list).filter(function (tab) {
        var panel = document.getElementById(tab.getAttribute("aria-controls"));
        return panel && !panel.hidden && panel.offsetParent !== null;
      });
    }
    function check(list, expected, what) {
      var shown = visiblePanels(list);
      if (shown.length !== 1 || shown[0] !== expected || expected.getAttribute("aria-selected") !== "true") {
        failures.push(list.id + ": " + what);
      }
    }
    function key(list, name) {
      list.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true }));
    }
    lists.forEach(function (list) {
      var tabs = tabsOf(list);
      if (tabs.length !== 3) failures.push(list.id + ": " + tabs.length + " tabs");
      tabs.forEach(function (tab) {
        tab.click();
        check(list, tab, "click " + tab.dataset.lang);
      });
      tabs[0].click();
      tabs[0].focus();
      key(list, "ArrowRight");
      check(list, tabs[1], "ArrowRight");
      if (document.activeElement !== tabs[1]) failures.push(list.id + ": focus after ArrowRight");
      key(list, "ArrowLeft");
      check(list, tabs[0], "ArrowLeft");
      key(list, "ArrowLeft");
      check(list, tabs[tabs.length - 1], "ArrowLeft wraps");
      key(list, "Home");
      check(list, tabs[0], "Home");
    });
    if (lists.length > 1) {
      var lastTab = tabsOf(lists[0])[2];
      lastTab.click();
      lists.forEach(function (list) { check(list, tabsOf(list)[2], "language follows"); });
      tabsOf(lists[0])[0].click();
    }
    report("tabs-selftest",
      failures.length ? "fail " + failures.join("; ") : "pass " + lists.length + " tablists");
    layoutSelfTest();
  }

  /* Whether the page is wider than the window (nothing may stick out at 390 px): names up to
     three elements that reach past the right edge outside a scrolling box. */
  function layoutSelfTest() {
    var width = root.clientWidth;
    var out = [];
    if (root.scrollWidth > width) {
      Array.prototype.forEach.call(document.body.querySelectorAll("*"), function (element) {
        if (out.length >= 3 || element.getBoundingClientRect().right <= width + 0.5) return;
        for (var up = element.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== "visible") return;
        }
        out.push(element.tagName.toLowerCase() + (element.className && element.className.baseVal === undefined ? "." + element.className.split(" ").join(".") : ""));
      });
    }
    report("layout-selftest", root.scrollWidth > width
      ? "fail page is " + root.scrollWidth + " px wide in a " + width + " px window: " + out.join(", ")
      : "pass " + width + " px");
    // No table column squeezed under five characters a line.
    var narrow = [];
    document.querySelectorAll("th, td").forEach(function (cell) {
      var style = getComputedStyle(cell);
      var inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (cell.textContent.trim().length > 5 && inner < 5 * parseFloat(style.fontSize)) {
        narrow.push(cell.textContent.trim().slice(0, 12) + " (" + Math.round(inner) + " px)");
      }
    });
    report("columns-selftest", narrow.length ? "fail " + narrow.length + " cells narrower than 5 characters: " + narrow.slice(0, 3).join(", ")
      : "pass " + width + " px");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
