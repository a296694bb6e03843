"use strict";
// tracefault's dashboard: span details on hover and focus, keyboard navigation, the file's
// fragment routing, and (served) a word when the sources have grown. Text is only ever set
// with textContent: the page's policy lets no string reach an HTML parser.
(() => {
  // Violations of the page's own Content-Security-Policy: none are expected.
  let violations = 0;
  document.addEventListener("securitypolicyviolation", () => { violations += 1; });
  Object.defineProperty(window, "tracefaultCspViolations", { get: () => violations });

  const parsed = new Map();
  const lowered = new WeakMap();

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(href, text) {
    const node = el("a", null, text);
    node.setAttribute("href", href);
    return node;
  }

  function barData(section) {
    const id = section.dataset.trace;
    if (!parsed.has(id)) {
      const node = document.getElementById("spans-" + id);
      let data = [];
      try { data = node ? JSON.parse(node.textContent) : []; } catch (_) { data = []; }
      parsed.set(id, data);
    }
    return parsed.get(id);
  }

  function overview() { return document.getElementById("overview"); }

  // The page shown: a served trace, or the section the fragment points into.
  function currentPage() {
    const served = document.querySelector("section.trace.current");
    if (served) return served;
    let target = null;
    try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (_) { target = null; }
    const page = target && target.closest("section.page");
    return page || overview();
  }

  function pair(list, term, description, className) {
    list.append(el("dt", null, term));
    list.append(el("dd", className, description));
  }

  function showDetails(bar) {
    const section = bar.closest("section.trace");
    if (!section) return;
    const span = barData(section)[Number(bar.dataset.i)];
    if (!span) return;
    for (const other of section.querySelectorAll(".bar.selected")) other.classList.remove("selected");
    bar.classList.add("selected");
    const panel = section.querySelector(".details");
    panel.replaceChildren();
    panel.append(el("h3", null, span.n));
    const tags = el("p", "tags");
    if (span.o) tags.append(el("span", "tag origin", "origin"));
    if (span.e) tags.append(el("span", "tag err", "error"));
    if (span.r && !span.o) tags.append(el("span", "tag", "raised or wrapped here"));
    if (span.c) tags.append(el("span", "tag cp", "critical path"));
    if (span.x) tags.append(el("span", "tag cancel", "cancelled"));
    if (tags.childElementCount) panel.append(tags);
    const facts = el("dl");
    pair(facts, "Service", span.s === null ? "unknown" : span.s);
    if (span.k) pair(facts, "Kind", span.k);
    pair(facts, "Start", span.t);
    pair(facts, "Duration", span.d);
    pair(facts, "Span id", span.id, "mono");
    if (span.m) pair(facts, "Status", span.m);
    panel.append(facts);
    const jumps = el("p", "jumps");
    if (span.p) {
      jumps.append(link("#" + span.p, "↑ parent span"), " ");
    }
    if (span.tb) {
      jumps.append(link("#" + span.tb, "↓ its report in the traceback"));
    }
    if (jumps.childElementCount) panel.append(jumps);
    if (span.a.length) {
      panel.append(el("h4", null, "Attributes"));
      const attributes = el("dl");
      for (const [key, value] of span.a) pair(attributes, key, value, "mono");
      panel.append(attributes);
      if (span.ma) panel.append(el("p", "more", span.ma + " more attributes"));
    }
    if (span.ev.length) {
      panel.append(el("h4", null, "Events"));
      const events = el("ol");
      for (const event of span.ev) {
        const item = el("li");
        item.append(el("span", "ev-time", event.t), el("span", "ev-name", event.n));
        if (event.m) item.append(el("span", "ev-msg", event.m));
        if (event.a.length) {
          const attributes = el("div", "ev-attrs");
          attributes.textContent = event.a.map(([key, value]) => key + " = " + value).join("\n");
          item.append(attributes);
        }
        events.append(item);
      }
      panel.append(events);
    }
    if (span.me) panel.append(el("p", "more", span.me + " more events"));
  }

  // One bar of a waterfall is in the tab order at a time; the keys move between them.
  function focusBar(bar) {
    if (!bar) return;
    const section = bar.closest("section.trace");
    for (const other of section.querySelectorAll('.bar[tabindex="0"]')) other.setAttribute("tabindex", "-1");
    bar.setAttribute("tabindex", "0");
    bar.focus({ preventScroll: true });
    bar.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function rows(page) {
    return Array.from(page.querySelectorAll("tr.row")).filter((row) => !row.hidden);
  }

  function step(items, current, by) {
    if (!items.length) return null;
    const at = items.indexOf(current);
    if (at < 0) return by > 0 ? items[0] : items[items.length - 1];
    return items[Math.max(0, Math.min(items.length - 1, at + by))];
  }

  function goOverview() {
    if (document.body.dataset.mode === "live") {
      if (location.pathname !== "/") location.assign("/");
    } else {
      location.hash = "#overview";
    }
  }

  function toggleHelp(open) {
    const help = document.getElementById("help");
    const show = open === undefined ? help.hidden : open;
    help.hidden = !show;
    if (show) help.querySelector(".help-box").focus?.();
  }

  function onTraceKey(event, page) {
    const bars = Array.from(page.querySelectorAll(".bar"));
    const active = document.activeElement;
    const onBar = active && active.classList && active.classList.contains("bar");
    const key = event.key;
    if (!onBar && (key === "j" || key === "k")) {
      // Into the waterfall, at the span whose details are shown (the origin, at first).
      focusBar(page.querySelector(".bar.selected") || bars[0]);
    } else if (key === "j" || (onBar && (key === "ArrowDown" || key === "ArrowRight"))) {
      focusBar(step(bars, active, 1));
    } else if (key === "k" || (onBar && (key === "ArrowUp" || key === "ArrowLeft"))) {
      focusBar(step(bars, active, -1));
    } else if (onBar && key === "Home") {
      focusBar(bars[0]);
    } else if (onBar && key === "End") {
      focusBar(bars[bars.length - 1]);
    } else if (key === "o") {
      focusBar(page.querySelector(".bar.origin") || bars[0]);
    } else if (key === "t") {
      const first = page.querySelector("li.tb");
      if (first) { first.focus({ preventScroll: true }); first.scrollIntoView({ block: "start" }); }
    } else if (onBar && key === "Enter") {
      const span = barData(page)[Number(active.dataset.i)];
      if (span && span.tb) location.hash = "#" + span.tb;
    } else if (key === "[" || key === "]") {
      const to = page.querySelector(key === "[" ? "a.prev" : "a.next");
      if (to && !to.hidden) to.click();
    } else {
      return;
    }
    event.preventDefault();
  }

  function onOverviewKey(event, page) {
    const list = rows(page);
    const active = document.activeElement;
    const onRow = active && active.matches && active.matches("tr.row");
    const key = event.key;
    if (key === "j" || (onRow && key === "ArrowDown")) {
      const row = step(list, onRow ? active : null, 1);
      if (row) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: "nearest" }); }
    } else if (key === "k" || (onRow && key === "ArrowUp")) {
      const row = step(list, onRow ? active : null, -1);
      if (row) { row.focus({ preventScroll: true }); row.scrollIntoView({ block: "nearest" }); }
    } else if (onRow && key === "Enter") {
      const to = active.querySelector("a.trace-link");
      if (to) to.click();
    } else if (key === "/") {
      document.getElementById("filter")?.focus();
    } else {
      return;
    }
    event.preventDefault();
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const help = document.getElementById("help");
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    if (event.key === "Escape") {
      if (!help.hidden) toggleHelp(false);
      else if (typing) event.target.blur();
      else goOverview();
      event.preventDefault();
      return;
    }
    if (typing) return;
    if (event.key === "?") { toggleHelp(); event.preventDefault(); return; }
    if (!help.hidden) return;
    if (event.key === "r" && document.body.dataset.mode === "live") { location.reload(); return; }
    const page = currentPage();
    if (page.id === "overview") onOverviewKey(event, page);
    else onTraceKey(event, page);
  }

  function filterRows(input) {
    const query = input.value.trim().toLowerCase();
    let shown = 0;
    const all = overview().querySelectorAll("tr.row");
    for (const row of all) {
      if (!lowered.has(row)) lowered.set(row, row.textContent.toLowerCase());
      row.hidden = query !== "" && !lowered.get(row).includes(query);
      if (!row.hidden) shown += 1;
    }
    document.getElementById("filter-count").textContent = query ? shown + " of " + all.length + " rows" : "";
  }

  // A trace section as it is shown: its neighbours for [ and ], and a span's details.
  function arrive() {
    const page = currentPage();
    if (page.classList.contains("trace")) {
      if (document.body.dataset.mode !== "live") {
        const sections = Array.from(document.querySelectorAll("section.page.trace"));
        const at = sections.indexOf(page);
        for (const [selector, neighbour] of [["a.prev", sections[at - 1]], ["a.next", sections[at + 1]]]) {
          const to = page.querySelector(selector);
          if (!to) continue;
          to.hidden = !neighbour;
          if (neighbour) to.setAttribute("href", "#" + neighbour.id);
        }
        document.title = "Trace " + page.dataset.trace + " · tracefault";
        const here = document.querySelector("header.top .here");
        if (here) here.textContent = "Trace " + page.dataset.trace;
      }
      let target = null;
      try { target = document.getElementById(decodeURIComponent(location.hash.slice(1))); } catch (_) { target = null; }
      if (target && target.classList.contains("bar")) {
        focusBar(target);
      } else if (target && target.matches("li.tb")) {
        target.focus({ preventScroll: true });
      } else {
        // The page itself: from its top, with the origin's details beside the waterfall.
        if (target === page) window.scrollTo(0, 0);
        const origin = page.querySelector(".bar.origin") || page.querySelector(".bar");
        if (origin) showDetails(origin);
      }
    } else if (document.body.dataset.mode !== "live") {
      document.title = document.body.dataset.title || document.title;
      const here = document.querySelector("header.top .here");
      if (here) here.textContent = "Errors and failing traces";
      if (location.hash === "#overview") window.scrollTo(0, 0);
    }
  }

  function pollGeneration() {
    const known = document.body.dataset.generation;
    fetch("/api/generation", { cache: "no-store" })
      .then((answer) => (answer.ok ? answer.json() : null))
      .then((state) => {
        if (state && String(state.generation) !== known) document.getElementById("live-banner").hidden = false;
      })
      .catch(() => {});
  }

  function start() {
    document.body.dataset.title = document.title;
    document.addEventListener("keydown", onKey);
    document.addEventListener("focusin", (event) => {
      const bar = event.target.closest && event.target.closest(".bar");
      if (bar) showDetails(bar);
    });
    document.addEventListener("pointerover", (event) => {
      const bar = event.target.closest && event.target.closest(".bar");
      if (bar) showDetails(bar);
    });
    document.addEventListener("click", (event) => {
      const bar = event.target.closest && event.target.closest(".bar");
      if (bar) focusBar(bar);
    });
    document.getElementById("help-button")?.addEventListener("click", () => toggleHelp());
    document.getElementById("help")?.addEventListener("click", (event) => {
      if (event.target.id === "help") toggleHelp(false);
    });
    document.getElementById("reload")?.addEventListener("click", () => location.reload());
    const filter = document.getElementById("filter");
    if (filter) filter.addEventListener("input", () => filterRows(filter));
    window.addEventListener("hashchange", arrive);
    arrive();
    if (document.body.dataset.mode === "live") setInterval(pollGeneration, 3000);
    // After the first frame is drawn: what a person waits for.
    requestAnimationFrame(() => setTimeout(() => performance.mark("tracefault:rendered"), 0));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
