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
    /* the same split as src/hindsite/search.py: runs of letters, marks and digits */
    return query.normalize("NFC").toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter(function (w) { return w.length > 0; });
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
  /* The index is split (see src/hindsite/search.py): a manifest, word shards by
     their first two letters, and blocks of documents. A query loads only the
     shards of its words and the blocks of its results. */

  var shards = {}, documentBlocks = {};
  window.hindsiteSearchShard = function (key, terms) { shards[key] = terms; };
  window.hindsiteSearchDocs = function (block, docs) { documentBlocks[block] = docs; };

  function hex(value) {
    return Array.prototype.map.call(new TextEncoder().encode(value), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function loadAll(base, names, ready) {
    var waiting = names.length;
    if (!waiting) { ready(); return; }
    names.forEach(function (name) {
      loadScript(base + name, function () { waiting -= 1; if (!waiting) { ready(); } });
    });
  }

  function setUpSearch(form) {
    var input = form.querySelector("input[name=q]");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var base = form.getAttribute("data-base");
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";

    function run() {
      var terms = words(input.value).filter(function (w) { return w.length >= 2; });
      list.textContent = "";
      if (!terms.length) { status.textContent = input.value.trim() ? "Type at least two letters." : ""; return; }
      if (!window.hindsiteSearch) {
        status.textContent = "Loading the index…";
        loadScript(form.getAttribute("data-index"), run);
        return;
      }
      var known = window.hindsiteSearch.shards;
      var keys = terms.map(function (t) { return hex(t.slice(0, 2)); });
      var missing = keys.filter(function (k, n) { return known.indexOf(k) !== -1 && !shards[k] && keys.indexOf(k) === n; });
      if (missing.length) {
        status.textContent = "Searching…";
        loadAll(base, missing.map(function (k) { return "t-" + k + ".js"; }), run);
        return;
      }
      var results = match(terms, keys);
      var per = window.hindsiteSearch.perFile;
      var blocks = [];
      results.slice(0, 100).forEach(function (r) {
        var block = Math.floor(r.doc / per);
        if (!documentBlocks[block] && blocks.indexOf(block) === -1) { blocks.push(block); }
      });
      if (blocks.length) {
        loadAll(base, blocks.map(function (b) { return "d-" + b + ".js"; }), run);
        return;
      }
      status.textContent = results.length + (results.length === 1 ? " report matches" : " reports match") +
        " “" + input.value.trim() + "”.";
      results.slice(0, 100).forEach(function (r) {
        list.appendChild(resultItem(documentBlocks[Math.floor(r.doc / per)][r.doc % per], r));
      });
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

  /* Reports that contain every term (as a word or the start of one), best first. */
  function match(terms, keys) {
    var found = null;
    terms.forEach(function (term, n) {
      var shard = shards[keys[n]] || {};
      var here = {};
      Object.keys(shard).forEach(function (word) {
        if (word.indexOf(term) !== 0) { return; }
        shard[word].forEach(function (posting) {
          var entry = here[posting[0]] || (here[posting[0]] = { score: 0, places: {} });
          var weight = posting[1] === -1 ? 5 : posting[1] === -2 ? 2 : 1;
          entry.score += weight * Math.min(posting[2], 5);
          entry.places[posting[1]] = (entry.places[posting[1]] || 0) + posting[2];
        });
      });
      if (found === null) { found = here; return; }
      var both = {};
      Object.keys(found).forEach(function (doc) {
        if (here[doc]) {
          both[doc] = { score: found[doc].score + here[doc].score, places: found[doc].places };
          Object.keys(here[doc].places).forEach(function (p) {
            both[doc].places[p] = (both[doc].places[p] || 0) + here[doc].places[p];
          });
        }
      });
      found = both;
    });
    return Object.keys(found || {}).map(function (doc) {
      var places = found[doc].places, best = null;
      Object.keys(places).forEach(function (p) {
        if (Number(p) >= 0 && (best === null || places[p] > places[best])) { best = p; }
      });
      return { doc: Number(doc), score: found[doc].score, section: best === null ? null : Number(best) };
    }).sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
  }

  function resultItem(doc, result) {
    var item = document.createElement("li");
    var section = result.section === null ? null : doc[6][result.section];
    item.appendChild(link(root + doc[0] + (section ? "#" + section[0] : ""), doc[1]));
    var meta = [doc[2], doc[3].toUpperCase(), doc[4].join(", ")].filter(Boolean).join(" · ");
    item.appendChild(text("span", " " + meta, "muted"));
    var about = text("p", "", "snippet");
    if (section && section[1]) { about.appendChild(text("strong", "In " + section[1] + ". ")); }
    about.appendChild(document.createTextNode(doc[5]));
    item.appendChild(about);
    return item;
  }

  /* ---- lists in pages, filtered from their data file --------------------------- */
  /* A long list shows one page of rows, rendered with the page. A filter (or a sort)
     needs every row: they come from the data file the form's data-rows names, the
     matches replace the page's rows and the pager hides. Clearing brings the page back. */

  var SHOWN_AT_MOST = 500;

  function filteredList(form, body, status, pager, options) {
    var serverRows = body.innerHTML;

    function update() {
      rememberInAddress(form);
      var wanted = options.wanted(new FormData(form));
      if (!wanted) {
        body.innerHTML = serverRows;
        status.textContent = "";
        if (pager) { pager.hidden = false; }
        return;
      }
      var all = options.data();
      if (!all) {
        status.textContent = "Loading…";
        loadScript(form.getAttribute("data-rows"), update);
        return;
      }
      var rows = options.pick(all, wanted);
      body.textContent = "";
      rows.slice(0, SHOWN_AT_MOST).forEach(function (row) { body.appendChild(options.element(row)); });
      if (pager) { pager.hidden = true; }
      status.textContent = rows.length + " " + options.noun + (rows.length === 1 ? "" : "s") +
        (rows.length > SHOWN_AT_MOST ? " (showing the first " + SHOWN_AT_MOST + ")" : "");
    }

    form.addEventListener("change", update);
    form.addEventListener("reset", function () { window.setTimeout(update, 0); });
    if (restoreFromAddress(form)) { update(); }
    return update;
  }

  /* ---- index filters and sorting ----------------------------------------- */

  function setUpIndex(form) {
    var table = document.getElementById("incident-table");
    var sortKey = "date", descending = true;
    var update = filteredList(form, table.querySelector("tbody"), document.getElementById("filter-status"),
      document.getElementById("index-pager"), {
        noun: "incident",
        data: function () { return window.hindsiteRows; },
        wanted: function (data) {
          var want = { severity: data.get("severity"), service: data.get("service"), tag: data.get("tag"), year: data.get("year") };
          var sorted = !(sortKey === "date" && descending);
          return want.severity || want.service || want.tag || want.year || sorted ? want : null;
        },
        pick: function (all, want) {
          return all.filter(function (row) {
            return (!want.severity || row[3] === want.severity) &&
              (!want.service || row[4].indexOf(want.service) !== -1) &&
              (!want.tag || row[5].indexOf(want.tag) !== -1) &&
              (!want.year || row[1].slice(0, 4) === want.year);
          }).sort(compare(sortKey, descending));
        },
        element: rowElement
      });

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
    tr.appendChild(names(row[4], ", ", ""));
    var tags = names(row[5], " ", "#");
    tags.className = "tags";
    tr.appendChild(tags);
    tr.appendChild(text("td", durationText(row[6]), "num"));
    return tr;
  }

  /* ---- follow-up filters ------------------------------------------------------ */

  function setUpFollowUps(form) {
    filteredList(form, document.querySelector("#follow-up-table tbody"), document.getElementById("follow-up-status"),
      document.getElementById("follow-up-pager"), {
        noun: "action item",
        data: function () { return window.hindsiteFollowUps; },
        wanted: function (data) {
          var want = { status: data.get("status"), owner: data.get("owner"), service: data.get("service") };
          return want.status || want.owner || want.service ? want : null;
        },
        pick: function (all, want) {
          return all.filter(function (row) {
            return (!want.status || (row[6] || "unknown") === want.status) &&
              (!want.owner || (row[5] || "-") === want.owner) &&
              (!want.service || row[7].indexOf(want.service) !== -1);
          });
        },
        element: followUpElement
      });
  }

  function followUpElement(row) {
    var tr = document.createElement("tr");
    var action = text("td", row[3]);
    if (row[4]) { action.appendChild(text("span", " (" + row[4] + ")", "muted")); }
    tr.appendChild(action);
    tr.appendChild(text("td", row[5] || "—"));
    var state = document.createElement("td");
    state.appendChild(row[6] ? text("span", row[6], "status status-" + row[6]) : text("span", "not stated", "muted"));
    tr.appendChild(state);
    var incident = document.createElement("td");
    incident.appendChild(link(root + row[0] + "#s-action-items", row[1]));
    incident.appendChild(text("span", " " + row[2], "muted"));
    tr.appendChild(incident);
    tr.appendChild(names(row[7], ", ", ""));
    return tr;
  }

  /* A cell of names, each in a span the theme keeps on one line (never broken at a hyphen). */
  function names(list, between, prefix) {
    var cell = document.createElement("td");
    list.forEach(function (name, n) {
      if (n) { cell.appendChild(document.createTextNode(between)); }
      cell.appendChild(text("span", prefix + name, "name"));
    });
    return cell;
  }

  /* ---- filters in the address ------------------------------------------------ */
  /* A filter's choices live in the page's address, so a filtered view can be linked to
     (a service page links to its open follow-ups) and survives a reload. */

  function restoreFromAddress(form) {
    var params = new URLSearchParams(window.location.search), any = false;
    form.querySelectorAll("select").forEach(function (select) {
      var value = params.get(select.name);
      if (!value) { return; }
      if (!Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
        /* a name the list leaves out (it offers the most used ones), asked for by a link */
        select.insertBefore(new Option(value, value), select.options[1] || null);
      }
      select.value = value;
      any = true;
    });
    return any;
  }

  function rememberInAddress(form) {
    var url = new URL(window.location.href);
    form.querySelectorAll("select").forEach(function (select) {
      if (select.value) { url.searchParams.set(select.name, select.value); } else { url.searchParams.delete(select.name); }
    });
    window.history.replaceState(null, "", url.toString());
  }

  var searchForm = document.getElementById("search-form");
  if (searchForm) { setUpSearch(searchForm); }
  var filters = document.getElementById("filters");
  if (filters) { setUpIndex(filters); }
  var followUps = document.getElementById("follow-up-filters");
  if (followUps) { setUpFollowUps(followUps); }
})();
