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
