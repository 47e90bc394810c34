// The console's only script, a file (the pages' Content-Security-Policy allows no inline code).

// A form with data-confirm asks before it is sent (e.g. cancelling an event).
document.addEventListener('submit', function (e) {
  var msg = e.target && e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});

// The live recipient count: ask the server whenever the audience changes (the "count" button does the same without JS).
(function () {
  var form = document.getElementById('compose'), out = document.getElementById('recipient-count');
  if (!form || !out) { return; }
  function update() {
    var picked = form.querySelector('input[name=audience]:checked');
    if (!picked) { return; }
    var sel = form.querySelector('select[name="param_' + picked.value + '"]');
    var url = '/admin/broadcasts/count?audience=' + encodeURIComponent(picked.value) +
              (sel ? '&param=' + encodeURIComponent(sel.value) : '');
    fetch(url, {credentials: 'same-origin'}).then(function (r) { return r.json(); })
      .then(function (d) { out.textContent = d.text; }).catch(function () {});
  }
  form.addEventListener('change', function (e) {
    if (e.target.name === 'audience' || (e.target.name || '').indexOf('param_') === 0) {
      if (e.target.dataset && e.target.dataset.audience) {
        var radio = form.querySelector('input[name=audience][value="' + e.target.dataset.audience + '"]');
        if (radio) { radio.checked = true; }
      }
      update();
    }
  });
  update();
})();

// Date fields (data-when) take Thai as people type it; show back the date the server understood, in Thai with
// the Buddhist-Era year, a moment after the officer stops typing. Submitting reads the field again on the server.
(function () {
  document.querySelectorAll('input[data-when]').forEach(function (field) {
    var out = document.getElementById(field.id + '-echo'), timer = null, asked = 0;
    if (!out) { return; }
    function ask() {
      var mine = ++asked;
      fetch('/admin/when?kind=' + encodeURIComponent(field.dataset.when) + '&text=' + encodeURIComponent(field.value),
            {credentials: 'same-origin'})
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (mine !== asked) { return; }  // an older answer arriving late
          out.textContent = d.text;
          out.className = 'when-echo small ' + (d.ok ? 'ok' : (d.text ? 'bad' : ''));
        }).catch(function () {});
    }
    field.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(ask, 300); });
    if (field.value) { ask(); }
  });
})();

// A list filtered as the officer types (data-filter="<id of the list>"): rows whose data-search holds every
// word typed stay; the form still searches on the server when sent (all pages).
(function () {
  document.querySelectorAll('input[data-filter]').forEach(function (box) {
    var list = document.getElementById(box.dataset.filter);
    if (!list) { return; }
    box.addEventListener('input', function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.querySelectorAll('[data-search]').forEach(function (row) {
        var hay = row.dataset.search.toLowerCase();
        row.hidden = !words.every(function (w) { return hay.indexOf(w) >= 0; });
      });
    });
  });
})();

// On a phone the tabs are one row that scrolls sideways: bring the current page's tab into view.
(function () {
  var on = document.querySelector('nav.main a.on'), nav = on && on.parentElement;
  if (nav && nav.scrollWidth > nav.clientWidth) { nav.scrollLeft = on.offsetLeft - (nav.clientWidth - on.offsetWidth) / 2; }
})();
