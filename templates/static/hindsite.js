/* hindsite: search, index filters and sorting, follow-up filters.
   Every page works without this script; it only adds interaction.
   Data files are loaded as scripts, not fetched, so the site also works from disk. */
(function () {
  "use strict";

  var root = document.body.getAttribute("data-root") || "";

  function loadScript(src, ready) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = ready;
    document.head.appendChild(tag);
  }

  function text(tagName, value, className) {
    var node = document.createElement(tagName);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function link(href, value) {
    var a = text("a", value);
    a.href = href;
    return a;
  }

  function words(query) {
    return query.toLowerCase().split(/[^\p{L}\p{N}_.-]+/u).filter(function (w) { return w.length > 0; });
  }

  function durationText(minutes) {
    if (minutes === null || minutes === undefined) { return ""; }
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    var parts = [];
    if (days) { parts.push(days + " d"); }
    if (hours) { parts.push(hours + " h"); }
    if (mins || !parts.length) { parts.push(mins + " min"); }
    return parts.join(" ");
  }

  /* ---- search ------------------------------------------------------- */

  function setUpSearch(form) {
    var input = form.querySelector("input[name=q]");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";

    function run() {
      var terms = words(input.value);
      list.textContent = "";
      if (!terms.length) { status.textContent = ""; return; }
      if (!window.hindsiteSearch) {
        status.textContent = "Loading the index…";
        loadScript(form.getAttribute("data-index"), run);
        return;
      }
      var results = search(window.hindsiteSearch.documents, terms);
      status.textContent = results.length + (results.length === 1 ? " report matches" : " reports match") +
        " “" + input.value.trim() + "”.";
      results.slice(0, 100).forEach(function (result) { list.appendChild(resultItem(result, terms)); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url.toString());
      run();
    });
    if (input.value) { run(); }
  }

  function search(documents, terms) {
    var results = [];
    documents.forEach(function (doc) {
      var fields = [{ anchor: "", heading: "", text: doc.t, weight: 5 }, { anchor: "", heading: "", text: doc.m, weight: 2 }];
      doc.p.forEach(function (part) {
        fields.push({ anchor: part[0], heading: part[1], text: part[1] + " " + part[2], weight: part[0] === "s-root-cause" ? 2 : 1 });
      });
      var score = 0, best = null, bestScore = 0;
      var all = terms.every(function (term) {
        return fields.some(function (field) { return field.text.toLowerCase().indexOf(term) !== -1; });
      });
      if (!all) { return; }
      fields.forEach(function (field) {
        var lower = field.text.toLowerCase(), hits = 0;
        terms.forEach(function (term) { if (lower.indexOf(term) !== -1) { hits += 1; } });
        score += hits * field.weight;
        if (field.anchor && hits > bestScore) { best = field; bestScore = hits; }
      });
      results.push({ doc: doc, score: score, part: best });
    });
    results.sort(function (a, b) { return b.score - a.score || (b.doc.d > a.doc.d ? 1 : -1); });
    return results;
  }

  function resultItem(result, terms) {
    var item = document.createElement("li");
    var target = root + result.doc.u + (result.part ? "#" + result.part.anchor : "");
    item.appendChild(link(target, result.doc.t));
    var meta = [result.doc.d, result.doc.s.toUpperCase(), result.doc.v.join(", ")].filter(Boolean).join(" · ");
    item.appendChild(text("span", " " + meta, "muted"));
    if (result.part) {
      var where = text("p", "", "snippet");
      where.appendChild(text("strong", result.part.heading + ": "));
      where.appendChild(document.createTextNode(snippet(result.part.text.slice(result.part.heading.length + 1), terms)));
      item.appendChild(where);
    }
    return item;
  }

  function snippet(body, terms) {
    var lower = body.toLowerCase(), at = -1;
    terms.some(function (term) { at = lower.indexOf(term); return at !== -1; });
    var start = Math.max(0, at - 80);
    return (start > 0 ? "…" : "") + body.slice(start, start + 220) + (body.length > start + 220 ? "…" : "");
  }

  /* ---- index filters and sorting ----------------------------------------- */

  function setUpIndex(form) {
    var table = document.getElementById("incident-table");
    var status = document.getElementById("filter-status");
    var pager = document.getElementById("index-pager");
    var body = table.querySelector("tbody");
    var sortKey = "date", descending = true;
    var serverRows = body.innerHTML;

    table.querySelectorAll("th[data-key]").forEach(function (th) {
      var button = text("button", th.textContent, "sort");
      button.type = "button";
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", th.getAttribute("data-key") === "date" ? "descending" : "none");
      button.addEventListener("click", function () {
        var key = th.getAttribute("data-key");
        descending = key === sortKey ? !descending : key !== "title";
        sortKey = key;
        table.querySelectorAll("th[data-key]").forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        update();
      });
    });
    form.addEventListener("change", update);
    form.addEventListener("reset", function () { window.setTimeout(update, 0); });

    function chosen() {
      var data = new FormData(form);
      return { severity: data.get("severity"), service: data.get("service"), tag: data.get("tag"), year: data.get("year") };
    }

    function update() {
      var want = chosen();
      var filtered = want.severity || want.service || want.tag || want.year;
      var sorted = !(sortKey === "date" && descending);
      if (!filtered && !sorted) {
        body.innerHTML = serverRows;
        status.textContent = "";
        if (pager) { pager.hidden = false; }
        return;
      }
      if (!window.hindsiteRows) {
        status.textContent = "Loading…";
        loadScript(form.getAttribute("data-rows"), update);
        return;
      }
      var rows = window.hindsiteRows.filter(function (row) {
        return (!want.severity || row[3] === want.severity) &&
          (!want.service || row[4].indexOf(want.service) !== -1) &&
          (!want.tag || row[5].indexOf(want.tag) !== -1) &&
          (!want.year || row[1].slice(0, 4) === want.year);
      });
      rows.sort(compare(sortKey, descending));
      body.textContent = "";
      rows.slice(0, 500).forEach(function (row) { body.appendChild(rowElement(row)); });
      if (pager) { pager.hidden = true; }
      status.textContent = rows.length + (rows.length === 1 ? " incident" : " incidents") +
        (rows.length > 500 ? " (showing the first 500)" : "");
    }
  }

  function compare(key, descending) {
    var column = { date: 1, title: 2, severity: 7, duration: 6 }[key];
    return function (a, b) {
      var x = a[column], y = b[column];
      var missing = (x === null || x === "") - (y === null || y === "");
      if (missing) { return missing; }  /* unknown values always last */
      var order = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      if (key === "severity") { order = -order; }  /* rank 0 is the most severe: "descending" shows it first */
      return descending ? -order : order;
    };
  }

  function rowElement(row) {
    var tr = document.createElement("tr");
    tr.appendChild(text("td", row[1] || "undated", "date"));
    var title = document.createElement("td");
    title.appendChild(link(root + row[0], row[2]));
    tr.appendChild(title);
    var severity = document.createElement("td");
    severity.appendChild(text("span", row[3] ? row[3].toUpperCase() : "—", "sev sev-" + (row[3] || "none")));
    tr.appendChild(severity);
    tr.appendChild(text("td", row[4].join(", ")));
    tr.appendChild(text("td", row[5].map(function (t) { return "#" + t; }).join(" "), "tags"));
    tr.appendChild(text("td", durationText(row[6]), "num"));
    return tr;
  }

  /* ---- follow-ups ---------------------------------------------------------- */

  function setUpFollowUps(form) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("#follow-up-table tbody tr"));
    var status = document.getElementById("follow-up-status");
    function update() {
      var data = new FormData(form);
      var shown = 0;
      rows.forEach(function (row) {
        var match = (!data.get("status") || row.getAttribute("data-status") === data.get("status")) &&
          (!data.get("owner") || row.getAttribute("data-owner") === data.get("owner")) &&
          (!data.get("service") || row.getAttribute("data-services").split("|").indexOf(data.get("service")) !== -1);
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      status.textContent = shown + (shown === 1 ? " action item" : " action items");
    }
    form.addEventListener("change", update);
    form.addEventListener("reset", function () { window.setTimeout(update, 0); });
  }

  var searchForm = document.getElementById("search-form");
  if (searchForm) { setUpSearch(searchForm); }
  var filters = document.getElementById("filters");
  if (filters) { setUpIndex(filters); }
  var followUps = document.getElementById("follow-up-filters");
  if (followUps) { setUpFollowUps(followUps); }
})();
