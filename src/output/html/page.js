// The findings table: a search box filtering rows by their text, and
// headers that sort on click (numbers numerically, via data-sort).
(function () {
  var root = document.documentElement;
  var table = document.getElementById('findings-table');
  if (table && table.tBodies.length > 0) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var search = document.getElementById('findings-search');
    var shown = document.getElementById('findings-shown');
    var update = function () {
      var q = search.value.trim().toLowerCase(), n = 0;
      rows.forEach(function (r) {
        var hit = q === '' || r.textContent.toLowerCase().indexOf(q) >= 0;
        r.hidden = !hit;
        if (hit) { n += 1; }
      });
      shown.textContent = n + ' of ' + rows.length + ' shown';
      shown.setAttribute('data-value', String(n));
      table.setAttribute('data-visible-rows', String(n));
    };
    search.addEventListener('input', update);
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, i) {
      th.addEventListener('click', function () {
        var numeric = th.getAttribute('data-type') === 'number';
        var dir = th.getAttribute('aria-sort') === 'descending' ? 1 : -1;
        if (!numeric) { dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1; }
        var key = function (r) {
          var c = r.cells[i];
          var v = c.getAttribute('data-sort');
          if (v === null) { v = c.textContent; }
          return numeric ? parseFloat(v) : v.toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      });
    });
    // A link can carry a filter (report.html#filter=CREDIT_CARD), so a
    // responder can point a colleague at exactly the rows that matter.
    var m = /[#&]filter=([^&]*)/.exec(window.location.hash);
    if (m) {
      try { search.value = decodeURIComponent(m[1]); } catch (e) { search.value = m[1]; }
    }
    update();
  }
  root.setAttribute('data-js-ready', '1');
})();
