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
     their first two letters, and a file per report with the text of its places.
     A query loads only the shards of its words and the reports it shows. Each
     result quotes the passage of its first match, the query's words marked. */

  var TITLE = -1, FACTS = -2, SUMMARY = -3;  /* a section n's text is place 2n, its heading 2n + 1 */
  var SHOWN_AT_ONCE = 20, BEFORE_MATCH = 60, AFTER_MATCH = 200;
  var shards = {}, reports = {};
  window.hindsiteSearchShard = function (key, terms) { shards[key] = terms; };
  window.hindsiteSearchReport = function (number, report) { reports[number] = report; };

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
    var more = text("button", "More results", "more-results");
    more.type = "button";
    more.hidden = true;
    list.parentNode.insertBefore(more, list.nextSibling);
    var results = [], terms = [], shown = 0, asked = 0;
    var params = new URLSearchParams(window.location.search);
    input.value = params.get("q") || "";

    function run() {
      var query = asked += 1;
      terms = words(input.value).filter(function (w) { return w.length >= 2; });
      list.textContent = "";
      more.hidden = true;
      if (!terms.length) { status.textContent = input.value.trim() ? "Type at least two letters." : ""; return; }
      if (!window.hindsiteSearch) {
        status.textContent = "Loading the index…";
        loadScript(form.getAttribute("data-index"), function () { if (query === asked) { run(); } });
        return;
      }
      var known = window.hindsiteSearch.shards;
      var keys = terms.map(function (t) { return hex(t.slice(0, 2)); });
      var missing = keys.filter(function (k, n) { return known.indexOf(k) !== -1 && !shards[k] && keys.indexOf(k) === n; });
      if (missing.length) {
        status.textContent = "Searching…";
        loadAll(base, missing.map(function (k) { return "t-" + k + ".js"; }), function () { if (query === asked) { run(); } });
        return;
      }
      results = match(terms, keys);
      shown = 0;
      status.textContent = results.length + (results.length === 1 ? " report matches" : " reports match") +
        " “" + input.value.trim() + "”" + (results.length > SHOWN_AT_ONCE ? ", best first." : ".");
      showMore(query);
    }

    function showMore(query) {
      var next = results.slice(shown, shown + SHOWN_AT_ONCE);
      var missing = next.filter(function (r) { return !reports[r.doc]; }).map(function (r) { return "r-" + r.doc + ".js"; });
      if (missing.length) {
        loadAll(base, missing, function () { if (query === asked) { showMore(query); } });
        return;
      }
      next.forEach(function (r) { list.appendChild(resultItem(reports[r.doc], r, terms)); });
      shown += next.length;
      more.hidden = shown >= results.length;
    }

    more.addEventListener("click", function () { showMore(asked); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = new URL(window.location.href);
      url.searchParams.set("q", input.value);
      window.history.replaceState(null, "", url.toString());
      run();
    });
    if (input.value) { run(); }
  }

  function isHeadingOrFacts(place) { return place === FACTS || (place >= 0 && place % 2 === 1); }

  /* Reports that contain every term (as a word or the start of one), ranked by how many terms their title
     holds, then their headings and facts, then how often their text holds them. */
  function match(terms, keys) {
    var each = terms.map(function (term, n) {
      var shard = shards[keys[n]] || {}, docs = {};
      Object.keys(shard).forEach(function (word) {
        if (word.indexOf(term) !== 0) { return; }
        shard[word].forEach(function (posting) {
          var places = docs[posting[0]] || (docs[posting[0]] = {});
          places[posting[1]] = (places[posting[1]] || 0) + posting[2];
        });
      });
      return docs;
    });
    return Object.keys(each[0]).filter(function (doc) {
      return each.every(function (docs) { return docs[doc]; });
    }).map(function (doc) {
      var result = { doc: Number(doc), title: 0, heading: 0, text: 0, terms: each.map(function (docs) { return docs[doc]; }) };
      result.terms.forEach(function (places) {
        var inHeading = false;
        Object.keys(places).forEach(function (key) {
          var place = Number(key);
          if (isHeadingOrFacts(place)) { inHeading = true; } else if (place !== TITLE) { result.text += Math.min(places[key], 5); }
        });
        if (places[TITLE]) { result.title += 1; }
        if (inHeading) { result.heading += 1; }
      });
      return result;
    }).sort(function (a, b) {
      return b.title - a.title || b.heading - a.heading || b.text - a.text || a.doc - b.doc;
    });
  }

  /* The place a result quotes: the section (or front-matter summary) holding the most terms, the first of them
     in the page's order; else the facts; else, for a match in the title alone, the first text of the report. */
  function quotedPlace(result, report) {
    var best = null, bestCount = 0;
    var candidates = [SUMMARY].concat(report[7].map(function (s, n) { return n; }));
    candidates.forEach(function (candidate) {
      var count = result.terms.filter(function (places) {
        return candidate === SUMMARY ? places[SUMMARY] : places[2 * candidate] || places[2 * candidate + 1];
      }).length;
      if (count > bestCount) { best = candidate; bestCount = count; }
    });
    if (best !== null) { return best; }
    if (result.terms.some(function (places) { return places[FACTS]; })) { return FACTS; }
    if (report[6]) { return SUMMARY; }
    var first = report[7].findIndex(function (s) { return s[2]; });
    return first === -1 ? null : first;
  }

  function isTerm(word, terms) {
    var lower = word.normalize("NFC").toLowerCase();
    return terms.some(function (term) { return lower.indexOf(term) === 0; });
  }

  /* `value` into `parent` as text nodes, each word that begins with a term in a <mark>. */
  function appendMarked(parent, value, terms) {
    var wordPattern = /[\p{L}\p{M}\p{N}]+/gu, found, at = 0;
    while ((found = wordPattern.exec(value))) {
      if (!isTerm(found[0], terms)) { continue; }
      if (found.index > at) { parent.appendChild(document.createTextNode(value.slice(at, found.index))); }
      parent.appendChild(text("mark", found[0]));
      at = found.index + found[0].length;
    }
    if (at < value.length) { parent.appendChild(document.createTextNode(value.slice(at))); }
    return parent;
  }

  /* The passage of `value` around its first word that begins with a term, cut at spaces: whole words only. */
  function passage(value, terms) {
    var wordPattern = /[\p{L}\p{M}\p{N}]+/gu, found, first = 0;
    while ((found = wordPattern.exec(value))) {
      if (isTerm(found[0], terms)) { first = found.index; break; }
    }
    var from = 0, to = value.length;
    if (first > BEFORE_MATCH) {
      var space = value.indexOf(" ", first - BEFORE_MATCH);
      from = space === -1 || space >= first ? first : space + 1;
    }
    if (to > first + AFTER_MATCH) {
      var end = value.lastIndexOf(" ", first + AFTER_MATCH);
      to = end > first ? end : (value.indexOf(" ", first) === -1 ? value.length : value.indexOf(" ", first));
    }
    return (from > 0 ? "…" : "") + value.slice(from, to) + (to < value.length ? "…" : "");
  }

  function resultItem(report, result, terms) {
    var item = document.createElement("li");
    var place = quotedPlace(result, report);
    var section = place !== null && place >= 0 ? report[7][place] : null;
    var anchor = section ? section[0] : place === FACTS ? "facts-title" : "";
    var title = appendMarked(document.createElement("a"), report[1], terms);
    title.href = root + report[0] + (anchor ? "#" + anchor : "");
    item.appendChild(title);
    var meta = [report[2], report[3].toUpperCase(), report[4].join(", ")].filter(Boolean).join(" · ");
    item.appendChild(text("span", " " + meta, "muted"));
    var quote = text("p", "", "snippet");
    if (place === FACTS) {
      quote.appendChild(text("strong", "Facts: ", "where"));
      report[5].forEach(function (fact, n) {
        quote.appendChild(document.createTextNode((n ? " · " : "") + fact[0] + " "));
        appendMarked(quote, fact[1], terms);
      });
    } else if (place !== null) {
      var label = section ? section[1] : "Summary";
      if (label) { appendMarked(quote.appendChild(text("strong", "", "where")), label + ": ", terms); }
      appendMarked(quote, passage(section ? section[2] : report[6], terms), terms);
    }
    item.appendChild(quote);
    return item;
  }

  /* ---- lists in pages, filtered from their data file --------------------------- */
  /* A long list shows one page of rows, rendered with the page. A filter (or a sort)
     needs every row: they come from the data file the form's data-rows names, the
     matches replace the page's rows, drawn as the page draws them, the caption says
     what is shown and the pager hides. Clearing brings the page back. */

  var SHOWN_AT_MOST = 500;

  function filteredList(form, table, status, pager, options) {
    var body = table.querySelector("tbody"), caption = table.querySelector("caption");
    var serverRows = body.innerHTML, serverCaption = caption ? caption.textContent : "";

    function update() {
      rememberInAddress(form);
      var wanted = options.wanted(new FormData(form));
      if (!wanted) {
        body.innerHTML = serverRows;
        if (caption) { caption.textContent = serverCaption; }
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
      var counted = counting(rows.length, options.noun);
      status.textContent = counted + (rows.length > SHOWN_AT_MOST ? " (showing the first " + SHOWN_AT_MOST + ")" : "");
      if (caption) {
        caption.textContent = (rows.length > SHOWN_AT_MOST ? "The first " + SHOWN_AT_MOST + " of " : "") + counted +
          (options.filtered(wanted) ? " matching the filters" : "") + ", " + options.order();
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("reset", function () { window.setTimeout(update, 0); });
    if (restoreFromAddress(form)) { update(); }
    return update;
  }

  function counting(count, noun) {
    return count.toLocaleString("en-US") + " " + noun + (count === 1 ? "" : "s");
  }

  /* ---- index filters and sorting ----------------------------------------- */

  var ORDERS = {
    date: ["oldest first", "newest first"],
    title: ["by title, A to Z", "by title, Z to A"],
    severity: ["least severe first", "most severe first"],
    duration: ["shortest first", "longest first"]
  };

  function setUpIndex(form) {
    var table = document.getElementById("incident-table");
    var sortKey = "date", descending = true;
    var update = filteredList(form, table, document.getElementById("filter-status"),
      document.getElementById("index-pager"), {
        noun: "incident",
        data: function () { return window.hindsiteRows; },
        wanted: function (data) {
          var want = { severity: data.get("severity"), service: data.get("service"), tag: data.get("tag"), year: data.get("year") };
          var sorted = !(sortKey === "date" && descending);
          return want.severity || want.service || want.tag || want.year || sorted ? want : null;
        },
        filtered: function (want) { return Boolean(want.severity || want.service || want.tag || want.year); },
        order: function () { return ORDERS[sortKey][descending ? 1 : 0]; },
        pick: function (all, want) {
          return all.rows.filter(function (row) {
            return (!want.severity || row[3] === want.severity) &&
              (!want.service || row[4].indexOf(want.service) !== -1) &&
              (!want.tag || row[5].indexOf(want.tag) !== -1) &&
              (!want.year || row[1].slice(0, 4) === want.year);
          }).sort(compare(sortKey, descending));
        },
        element: function (row) { return rowElement(row, window.hindsiteRows); }
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

  /* The markup of templates/_macros.html's incident_rows, element for element: a browser test compares them. */
  function rowElement(row, data) {
    var tr = document.createElement("tr");
    var date = text("td", row[1] || "undated", "date");
    date.setAttribute("data-sort", row[1]);
    tr.appendChild(date);
    tr.appendChild(document.createElement("td")).appendChild(link(root + row[0], row[2]));
    var severity = tr.appendChild(document.createElement("td"));
    severity.setAttribute("data-sort", row[3]);
    severity.appendChild(severityBadge(row[3]));
    tr.appendChild(chips(document.createElement("td"), row, row[4], data.services, row[8], "chip", ""));
    tr.appendChild(chips(text("td", "", "tags"), row, row[5], data.tags, row[9], "chip chip-tag", "#"));
    var duration = text("td", durationText(row[6]), "num");
    duration.setAttribute("data-sort", row[6] === null ? "" : String(row[6]));
    tr.appendChild(duration);
    return tr;

    function chips(cell, row, names, pages, unindexed, className, prefix) {
      names.slice(0, data.rowChips).forEach(function (name, n) {
        if (n) { cell.appendChild(document.createTextNode(" ")); }
        var chip = link(root + pages[name], prefix + name);
        chip.className = className;
        cell.appendChild(chip);
      });
      var hidden = names.length + unindexed - data.rowChips;
      if (hidden > 0) {
        cell.appendChild(document.createTextNode(" "));
        var more = link(root + row[0] + "#facts-title", "+" + hidden.toLocaleString("en-US") + " more");
        more.className = "more";
        cell.appendChild(more);
      }
      return cell;
    }
  }

  function severityBadge(level) {
    if (!level) {
      var none = text("span", "—", "sev sev-none");
      none.title = "No severity stated";
      return none;
    }
    return text("span", level.toUpperCase(), "sev sev-" + level);
  }

  /* ---- follow-up filters ------------------------------------------------------ */

  function setUpFollowUps(form) {
    filteredList(form, document.getElementById("follow-up-table"), document.getElementById("follow-up-status"),
      document.getElementById("follow-up-pager"), {
        noun: "action item",
        data: function () { return window.hindsiteFollowUps; },
        wanted: function (data) {
          var want = { status: data.get("status"), owner: data.get("owner"), service: data.get("service") };
          return want.status || want.owner || want.service ? want : null;
        },
        filtered: function () { return true; },
        order: function () { return "newest incident first"; },
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

  /* The markup of a row of templates/follow-ups.html, element for element: a browser test compares them. */
  function followUpElement(row) {
    var tr = document.createElement("tr");
    var action = tr.appendChild(text("td", row[3]));
    if (/^https?:\/\//.test(row[4])) {
      action.appendChild(document.createTextNode(" "));
      action.appendChild(link(row[4], "(link)")).className = "muted";
    } else if (row[4]) {
      action.appendChild(document.createTextNode(" "));
      action.appendChild(text("span", "(" + row[4] + ")", "muted"));
    }
    tr.appendChild(text("td", row[5] || "—"));
    var state = tr.appendChild(document.createElement("td"));
    state.appendChild(row[6] ? text("span", row[6], "status status-" + row[6]) : text("span", "not stated", "muted"));
    var incident = tr.appendChild(document.createElement("td"));
    incident.appendChild(link(root + row[0] + "#action-items", row[1]));
    incident.appendChild(document.createTextNode(" "));
    incident.appendChild(text("span", row[2], "muted"));
    tr.appendChild(names(row[7]));
    return tr;
  }

  /* A cell of names ("api, edge-proxy"), each in a span the theme keeps on one line (never broken at a hyphen). */
  function names(list) {
    var cell = document.createElement("td");
    list.forEach(function (name, n) {
      if (n) { cell.appendChild(document.createTextNode(", ")); }
      cell.appendChild(text("span", name, "name"));
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
