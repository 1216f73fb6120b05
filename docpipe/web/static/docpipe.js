/* docpipe pages: uploads with progress, live analysis progress, the cited-page panel,
   retry. Plain JavaScript, no libraries, nothing loaded from elsewhere. The API calls carry
   the session cookie and the page's CSRF token (X-CSRF-Token). */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = meta ? meta.getAttribute("content") : "";
  var MAX_STREAMS = 3; // event streams open at once (browsers allow ~6 connections per host)

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function problemDetail(xhrOrText, status) {
    try {
      var body = JSON.parse(xhrOrText);
      if (body && body.detail) return body.detail;
    } catch (e) { /* not JSON */ }
    return "the server answered " + status;
  }

  function sizeText(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1048576) return (bytes / 1024).toFixed(0) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  var PLAIN = {
    empty_file: "The file is empty.",
    unsupported_format: "docpipe does not read this kind of file.",
    content_mismatch: "The file's contents do not match its name.",
    needs_password: "The PDF is locked with a password.",
    needs_ocr: "The PDF has no text layer (it is a scan); it needs OCR.",
    corrupt_file: "The file is damaged and cannot be opened.",
    no_text: "No readable text was found in the file.",
    zip_bomb: "The file expands to far more data than it holds; it was not opened.",
    pdf_bomb: "The PDF expands to far more data than it holds; it was not opened.",
    parse_timeout: "Reading the file took too long and was stopped.",
    model_error: "The language model failed while analysing the document.",
    timed_out: "The analysis took too long and was stopped.",
    internal_error: "docpipe hit an unexpected error (see the server log)."
  };

  function plainError(error) {
    if (!error) return "The analysis failed.";
    var words = PLAIN[error.code] || "The document could not be analysed.";
    return error.message ? words + " (" + error.message + ")" : words;
  }

  function stageText(ev) {
    if (ev.status === "pending" || ev.status === "queued" || !ev.stage || ev.stage === "queued") {
      return "Waiting for its turn to be analysed";
    }
    var names = { parse: "Reading the file", plan: "Planning", map: "Analysing", reduce_queued: "Writing the brief",
                  reduce: "Writing the brief", done: "Finishing" };
    var text = names[ev.stage] || ev.stage;
    if (ev.chunks_total) text += ": part " + Math.min(ev.chunks_done + 1, ev.chunks_total) + " of " + ev.chunks_total;
    if (ev.attempts > 1) text += " (attempt " + ev.attempts + ")";
    return text;
  }

  function fraction(ev) {
    var stages = { queued: 0, parse: 0.05, plan: 0.1, map: 0.15, reduce_queued: 0.85, reduce: 0.9, done: 1 };
    var base = stages[ev.stage] || 0;
    if (ev.stage === "map" && ev.chunks_total) base = 0.15 + 0.7 * (ev.chunks_done / ev.chunks_total);
    return ev.status === "done" ? 1 : base;
  }

  /* ---------------------------------------------------------------- event streams */
  var waiting = [];
  var open = 0;

  function follow(documentId, handlers) {
    waiting.push({ id: documentId, h: handlers });
    pump();
  }

  function pump() {
    while (open < MAX_STREAMS && waiting.length) {
      start(waiting.shift());
    }
  }

  function start(job) {
    open += 1;
    var source = new EventSource("/api/v1/documents/" + job.id + "/events");
    var finished = false;
    function finish() {
      if (finished) return;
      finished = true;
      source.close();
      open -= 1;
      pump();
    }
    source.addEventListener("progress", function (e) { job.h.progress(JSON.parse(e.data)); });
    source.addEventListener("end", function (e) { finish(); job.h.end(JSON.parse(e.data)); });
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED && !finished) {
        finish();
        job.h.lost();
      }
    };
  }

  /* ---------------------------------------------------------------- the upload page */
  function setupUpload(form) {
    var input = document.getElementById("upload-files");
    var zone = document.getElementById("dropzone");
    var list = document.getElementById("uploads");
    var matterSelect = document.getElementById("upload-matter");
    var queue = [];
    var busy = false;

    function addFiles(files) {
      Array.prototype.forEach.call(files, function (file) {
        var item = el("li", { className: "upload-item", "data-name": file.name });
        item.appendChild(el("div", { className: "file-name" }, file.name + " (" + sizeText(file.size) + ")"));
        var bar = el("progress", { max: "1", value: "0", "aria-label": "Upload of " + file.name });
        item.appendChild(bar);
        var state = el("div", { className: "state", role: "status" }, "Waiting to upload");
        item.appendChild(state);
        list.appendChild(item);
        queue.push({ file: file, matter: matterSelect.value, item: item, bar: bar, state: state });
      });
      next();
    }

    function next() {
      if (busy || !queue.length) return;
      busy = true;
      send(queue.shift(), function () { busy = false; next(); });
    }

    function fail(job, reason) {
      job.item.classList.add("failed");
      job.item.setAttribute("data-state", "failed");
      job.state.textContent = "Failed: " + reason;
    }

    function send(job, done) {
      var data = new FormData();
      data.append("matter", job.matter);
      data.append("file", job.file, job.file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/v1/documents");
      xhr.setRequestHeader("X-CSRF-Token", CSRF);
      xhr.setRequestHeader("Accept", "application/json");
      job.state.textContent = "Uploading…";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          job.bar.value = e.loaded / e.total;
          job.state.textContent = "Uploading… " + Math.round(100 * e.loaded / e.total) + "%";
        }
      };
      xhr.onload = function () {
        if (xhr.status === 202) {
          var body = JSON.parse(xhr.responseText);
          accepted(job, body);
        } else {
          fail(job, "refused: " + problemDetail(xhr.responseText, xhr.status));
        }
        done();
      };
      xhr.onerror = function () { fail(job, "the connection to the server was lost during the upload"); done(); };
      xhr.send(data);
    }

    function accepted(job, body) {
      job.bar.value = 0;
      job.bar.setAttribute("aria-label", "Analysis of " + job.file.name);
      job.item.setAttribute("data-id", body.id);
      var href = "/documents/" + body.id + "?matter=" + encodeURIComponent(body.matter);
      var openLink = el("a", { href: href, className: "open-doc" }, "Open " + body.name);
      var stage = el("div", { className: "stage-label" });
      job.item.insertBefore(stage, job.state);
      job.state.textContent = body.duplicate ? "Already here (the same file is in this matter)." : "Uploaded.";
      job.item.appendChild(openLink);
      follow(body.id, {
        progress: function (ev) {
          job.item.setAttribute("data-state", ev.status);
          stage.textContent = stageText(ev);
          job.bar.value = fraction(ev);
          if (ev.status === "failed") fail(job, plainError(ev.error));
        },
        end: function (ev) {
          job.item.setAttribute("data-state", ev.status);
          if (ev.status === "done") {
            job.bar.value = 1;
            job.item.classList.add("done");
            stage.textContent = "";
            job.state.textContent = "Done: the brief is ready.";
          } else if (!job.item.classList.contains("failed")) {
            fail(job, "the analysis failed; open the document for the reason");
          }
        },
        lost: function () { job.state.textContent = "Lost the live progress; open the document to see where it stands."; }
      });
    }

    input.addEventListener("change", function () {
      if (input.files.length) addFiles(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.files.length) { addFiles(input.files); input.value = ""; }
      else input.click();
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) addFiles(e.dataTransfer.files);
    });
  }

  /* ---------------------------------------------------------------- the cited page */
  function quotePattern(quote) {
    var words = quote.split(/\s+/).filter(Boolean).map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    return words.length ? new RegExp(words.join("\\s+")) : null;
  }

  function highlighted(text, quotes, quote, finding) {
    var spans = [];
    (quotes || []).forEach(function (q) {
      if (q.start >= 0 && q.start < q.end && q.end <= text.length) {
        var current = (finding !== null && q.finding === finding) || (quote !== null && q.quote === quote);
        spans.push([q.start, q.end, current]);
      }
    });
    if (quote && !spans.some(function (s) { return s[2]; })) {
      var pattern = quotePattern(quote);
      var m = pattern ? pattern.exec(text) : null;
      if (m) spans.push([m.index, m.index + m[0].length, true]);
    }
    var cuts = [0, text.length];
    spans.forEach(function (s) { cuts.push(s[0], s[1]); });
    cuts = cuts.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    var pre = el("pre", { className: "page-text", id: "page-text" });
    var firstCurrent = true;
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], b = cuts[i + 1];
      var piece = text.slice(a, b);
      var covering = spans.filter(function (s) { return s[0] <= a && b <= s[1]; });
      if (!covering.length) { pre.appendChild(document.createTextNode(piece)); continue; }
      var mark = el("mark", {}, piece);
      if (covering.some(function (s) { return s[2]; })) {
        mark.className = "current";
        if (firstCurrent) { mark.id = "current-quote"; firstCurrent = false; }
      }
      pre.appendChild(mark);
    }
    return pre;
  }

  function scrollToQuote(panel) {
    var mark = document.getElementById("current-quote");
    if (mark && panel) {
      var top = mark.offsetTop - panel.offsetTop - 80;
      if (panel.scrollHeight > panel.clientHeight) panel.scrollTop = Math.max(0, top);
      else mark.scrollIntoView({ block: "center" });
    }
  }

  function setupDocument(layout) {
    var documentId = layout.getAttribute("data-doc");
    var isPdf = layout.getAttribute("data-pdf") === "yes";
    var panel = document.getElementById("cited-page");
    var body = document.getElementById("panel-body");
    var title = document.getElementById("panel-title");

    function markLink(link) {
      Array.prototype.forEach.call(document.querySelectorAll("a.cite[aria-current]"), function (a) {
        a.removeAttribute("aria-current");
      });
      if (link) link.setAttribute("aria-current", "true");
    }

    function showPage(link) {
      var page = link.getAttribute("data-page");
      var quote = link.getAttribute("data-quote");
      var findingAttr = link.getAttribute("data-finding");
      var finding = findingAttr === null ? null : parseInt(findingAttr, 10);
      layout.classList.add("with-panel");
      title.textContent = "Page " + page;
      body.textContent = "";
      body.appendChild(el("p", { className: "hint" }, "Loading page " + page + "…"));
      markLink(link);
      fetch("/api/v1/documents/" + documentId + "/pages/" + page, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.text().then(function (t) { return { ok: r.ok, status: r.status, text: t }; });
        })
        .then(function (res) {
          body.textContent = "";
          if (!res.ok) {
            body.appendChild(el("p", { className: "notice error" }, "The page could not be shown: " + problemDetail(res.text, res.status)));
            return;
          }
          var data = JSON.parse(res.text);
          body.appendChild(highlighted(data.text, data.quotes, quote, finding));
          if (isPdf && (quote || finding !== null)) {
            var src = "/api/v1/documents/" + documentId + "/pages/" + page + ".png?" +
              (quote ? "quote=" + encodeURIComponent(quote) : "finding=" + finding);
            var fig = el("figure", { className: "page-image" });
            fig.appendChild(el("img", { id: "page-image", src: src, alt: "Page " + page + " of the PDF, the quote highlighted" }));
            fig.appendChild(el("figcaption", {}, "Page " + page + " as printed"));
            body.appendChild(fig);
          }
          scrollToQuote(panel);
        })
        .catch(function () {
          body.textContent = "";
          body.appendChild(el("p", { className: "notice error" }, "The page could not be loaded; the server did not answer."));
        });
      try { history.replaceState(null, "", link.getAttribute("href").split("#")[0]); } catch (e) { /* ignore */ }
      panel.focus({ preventScroll: window.matchMedia("(min-width: 1000px)").matches });
    }

    document.addEventListener("click", function (e) {
      var link = e.target.closest && e.target.closest("a.cite[data-page]");
      if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      showPage(link);
    });

    if (document.getElementById("current-quote")) {
      scrollToQuote(panel);
      var params = new URLSearchParams(location.search);
      var links = document.querySelectorAll("a.cite[data-page='" + params.get("page") + "']");
      Array.prototype.some.call(links, function (a) {
        if (a.getAttribute("data-quote") === params.get("quote")) { markLink(a); return true; }
        return false;
      });
    }

    var progress = document.getElementById("progress");
    if (progress) {
      var bar = document.getElementById("progress-bar");
      var text = document.getElementById("progress-text");
      follow(documentId, {
        progress: function (ev) { text.textContent = stageText(ev); bar.value = fraction(ev); },
        end: function () { text.textContent = "Finished; loading the result…"; location.reload(); },
        lost: function () { text.textContent = "Lost the live progress; reload the page to see where it stands."; }
      });
    }

    var retry = document.getElementById("retry");
    if (retry) {
      retry.addEventListener("click", function () {
        var status = document.getElementById("retry-status");
        retry.disabled = true;
        status.textContent = "Sending…";
        fetch("/api/v1/documents/" + documentId + "/retry", {
          method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": CSRF, Accept: "application/json" }
        }).then(function (r) {
          return r.text().then(function (t) {
            if (r.status === 202) { location.reload(); return; }
            retry.disabled = false;
            status.textContent = "Refused: " + problemDetail(t, r.status);
          });
        }).catch(function () { retry.disabled = false; status.textContent = "The server did not answer."; });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (form) setupUpload(form);
    var layout = document.getElementById("doc-layout");
    if (layout) setupDocument(layout);
  });
})();
