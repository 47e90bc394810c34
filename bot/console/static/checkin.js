// The check-in page: reads QR codes from the camera (jsQR), takes typed codes, and keeps scans made
// without network in localStorage (the signed token or code only, never a name) until they can be sent.
(function () {
  var root = document.getElementById('checkin');
  if (!root) { return; }
  var eventId = root.dataset.event, csrf = root.dataset.csrf, T = JSON.parse(root.dataset.texts);
  var QKEY = 'khruakhai-checkin-queue-' + eventId;
  var box = document.getElementById('checkin-result'), outcomeEl = document.getElementById('checkin-outcome');
  var namesEl = document.getElementById('checkin-names'), orgEl = document.getElementById('checkin-org');
  var queueEl = document.getElementById('checkin-queue');
  var roster = {byId: {}, byCode: {}};
  var lastText = '', lastAt = 0, busy = false;

  function show(outcome, message, names, org) {
    box.className = 'checkin-result ' + outcome;
    outcomeEl.textContent = message;
    namesEl.textContent = (names || []).join(', ');
    orgEl.textContent = org || '';
  }
  function queue() { try { return JSON.parse(localStorage.getItem(QKEY) || '[]'); } catch (e) { return []; } }
  function saveQueue(q) { localStorage.setItem(QKEY, JSON.stringify(q)); showQueue(); }
  function showQueue() { var n = queue().length; queueEl.textContent = n ? T['checkin.queue'].replace('{n}', n) : ''; }

  function loadRoster() {
    fetch('/admin/events/' + eventId + '/checkin/roster', {credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (d) {
        roster = {byId: {}, byCode: {}};
        d.registrations.forEach(function (r) { roster.byId[r.id] = r; roster.byCode[r.code] = r; });
      }).catch(function () {});
  }
  // The registration id inside one of our tokens ("KK1.<base64 id>.<signature>"), to name the person while
  // offline; the server checks the signature when the scan is sent.
  function idOf(token) {
    var parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'KK1') { return null; }
    try { return parseInt(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')), 10); } catch (e) { return null; }
  }
  function post(item) {
    return fetch('/admin/events/' + eventId + '/checkin', {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: JSON.stringify(item)
    }).then(function (r) { if (!r.ok) { throw new Error('status ' + r.status); } return r.json(); });
  }
  function offline(item) {
    var q = queue(); q.push(item); saveQueue(q);
    var r = item.token ? roster.byId[idOf(item.token)] : roster.byCode[item.code];
    if (r && r.status !== 'registered' && r.status !== 'already') {
      show(r.status, T['checkin.outcome.' + r.status], r.names, r.organization);
    } else if (r) {
      show('offline', T['checkin.offline_saved'], r.names, r.organization);
      if (r.status === 'registered') { r.status = 'already'; }
    } else {
      show('offline', T['checkin.offline_unknown'], [], '');
    }
  }
  function submit(item) {
    busy = true;
    show('', T['checkin.sending'], [], '');
    post(item).then(function (d) {
      show(d.outcome, d.message, d.names, d.organization);
      var r = d.registration_id && roster.byId[d.registration_id];
      if (r && d.outcome === 'checked_in') { r.status = 'already'; }
    }).catch(function () { offline(item); }).then(function () { busy = false; flush(); });
  }
  var flushing = false;
  function flush() {
    var q = queue();
    if (flushing || !q.length || busy) { return; }
    flushing = true;
    post(q[0]).then(function () { saveQueue(queue().slice(1)); flushing = false; flush(); })
      .catch(function () { flushing = false; });
  }
  window.addEventListener('online', flush);
  setInterval(flush, 5000);

  function found(text) {
    var now = Date.now();
    if (busy || (text === lastText && now - lastAt < 4000)) { return; }  // the same code still in front of the camera
    lastText = text; lastAt = now;
    submit({token: text});
  }

  document.getElementById('checkin-code-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = document.getElementById('checkin-code'), code = input.value.replace(/\D/g, '');
    if (code) { submit({code: code}); input.value = ''; }
  });

  var video = document.getElementById('checkin-video'), canvas = document.getElementById('checkin-canvas');
  var ctx = canvas.getContext('2d', {willReadFrequently: true});
  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA && video.videoWidth) {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var qr = window.jsQR && window.jsQR(img.data, img.width, img.height, {inversionAttempts: 'dontInvert'});
      if (qr && qr.data) { found(qr.data); }
    }
    setTimeout(function () { requestAnimationFrame(tick); }, 150);
  }
  function camera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { show('unknown', T['checkin.camera_off'], [], ''); return; }
    navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}, audio: false}).then(function (stream) {
      video.srcObject = stream; video.play(); tick();
    }).catch(function () { show('unknown', T['checkin.camera_off'], [], ''); });
  }
  document.getElementById('checkin-camera').addEventListener('click', camera);
  loadRoster(); showQueue(); flush(); camera();
})();
