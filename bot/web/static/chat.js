const log = document.getElementById('log');
// Who is speaking is the server's signed cookie (HttpOnly), never something this page sends.

function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
function scroll() { log.scrollTop = log.scrollHeight; }
function clearChoices() { document.querySelectorAll('.choices').forEach(c => c.remove()); }

function showReply(r) {
  if (r.card) {
    const c = el('div', 'card');
    c.appendChild(el('h3', null, r.card.title));
    if (r.card.fields && r.card.fields.length) {
      const dl = el('dl');
      r.card.fields.forEach(f => { dl.appendChild(el('dt', null, f.label)); dl.appendChild(el('dd', null, f.value)); });
      c.appendChild(dl);
    }
    if (r.card.text && !r.text) c.appendChild(el('p', null, r.card.text));
    if (r.card.link_url) { const a = el('a', null, r.card.link_url); a.href = r.card.link_url; a.target = '_blank'; const p = el('p'); p.appendChild(a); c.appendChild(p); }
    if (r.card.buttons && r.card.buttons.length && !(r.choices && r.choices.length)) {
      const b = el('div', 'buttons');
      r.card.buttons.forEach(ch => { const btn = el('button', null, ch.label); btn.onclick = () => send(null, ch.value, ch.label); b.appendChild(btn); });
      c.appendChild(b);
    }
    log.appendChild(c);
  }
  if (r.text) log.appendChild(el('div', 'msg bot', r.text));
  if (r.media && /^https?:\/\//.test(r.media.url)) {
    const box = el('div', 'msg bot media');
    if (r.media.kind === 'image') { const img = el('img'); img.src = r.media.url; img.alt = ''; box.appendChild(img); }
    const a = el('a', null, r.media.filename || r.media.url); a.href = r.media.url; a.target = '_blank'; box.appendChild(el('br')); box.appendChild(a);
    log.appendChild(box);
  }
  if (r.choices && r.choices.length) {
    const box = el('div', 'choices');
    r.choices.forEach(ch => { const btn = el('button', null, ch.label); btn.onclick = () => send(null, ch.value, ch.label); box.appendChild(btn); });
    log.appendChild(box);
  }
}

async function send(text, postback, label) {
  clearChoices();
  log.appendChild(el('div', 'msg me', label || text));
  scroll();
  const res = await fetch('chat/api/messages', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: text, postback: postback }), credentials: 'same-origin' });
  if (!res.ok) { log.appendChild(el('div', 'msg bot', 'ส่งไม่สำเร็จ (' + res.status + ') ลองใหม่อีกครั้งค่ะ')); scroll(); return; }
  const data = await res.json();
  data.replies.forEach(showReply);
  scroll();
}

async function poll() {
  try {
    const res = await fetch('chat/api/inbox', { credentials: 'same-origin' });
    if (res.ok) { const data = await res.json(); if (data.replies.length) { data.replies.forEach(showReply); scroll(); } }
  } catch (e) { /* offline for a moment: try again on the next tick */ }
}
setInterval(poll, 4000);

document.getElementById('send').addEventListener('submit', ev => {
  ev.preventDefault();
  const box = document.getElementById('text');
  const text = box.value.trim();
  if (!text) return;
  box.value = '';
  send(text, null, null);
});
