const log = document.getElementById('log');
// Who is speaking is the server's signed cookie (HttpOnly), never something this page sends.

function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
function scroll() { log.scrollTop = log.scrollHeight; }
function isLink(text) { return /^(https?:\/\/|tel:)\S+$/.test(text || ''); }
function link(url, label) { const a = el('a', null, label || url); a.href = url; a.target = '_blank'; a.rel = 'noopener'; return a; }

// As on LINE, only the latest reply's buttons work: once a newer reply arrives, older quick replies go away and
// older cards' buttons are disabled (the server refuses a stale answer button anyway: bot/offers.py).
function retireButtons() {
  document.querySelectorAll('.choices').forEach(c => c.remove());
  document.querySelectorAll('#log .card button').forEach(b => { b.disabled = true; });
}
function button(ch) { const b = el('button', null, ch.label); b.type = 'button'; b.onclick = () => send(null, ch.value, ch.label); return b; }

function showCard(card) {
  const c = el('div', 'card');
  let linkLabel = null;
  c.appendChild(el('h3', null, card.title));
  if (card.text) c.appendChild(el('p', null, card.text));
  if (card.fields && card.fields.length) {
    const dl = el('dl');
    card.fields.forEach(f => {
      // a field holding the card's own link (the map) is the link button below: shown once
      if (f.value === card.link_url) { linkLabel = f.label; return; }
      dl.appendChild(el('dt', null, f.label));
      const dd = el('dd');
      if (isLink(f.value)) { dd.appendChild(link(f.value)); } else { dd.textContent = f.value; }
      dl.appendChild(dd);
    });
    c.appendChild(dl);
  }
  const b = el('div', 'buttons');
  (card.buttons || []).forEach(ch => b.appendChild(button(ch)));
  if (card.link_url && isLink(card.link_url)) { const a = link(card.link_url, linkLabel || card.title); a.className = 'linkbtn'; b.appendChild(a); }
  if (b.children.length) c.appendChild(b);
  log.appendChild(c);
}

function showReply(r) {
  if (r.card) showCard(r.card);
  if (r.text) log.appendChild(el('div', 'msg bot', r.text));
  if (r.media && /^https?:\/\//.test(r.media.url)) {
    const box = el('div', 'msg bot media');
    if (r.media.kind === 'image') { const img = el('img'); img.src = r.media.url; img.alt = ''; box.appendChild(img); box.appendChild(el('br')); }
    box.appendChild(link(r.media.url, r.media.filename || r.media.url));
    log.appendChild(box);
  }
  // a card's buttons AND the reply's quick replies, together, as LINE shows them
  if (r.choices && r.choices.length) {
    const box = el('div', 'choices');
    r.choices.forEach(ch => box.appendChild(button(ch)));
    log.appendChild(box);
  }
}
function showReplies(replies) { if (!replies.length) return; retireButtons(); replies.forEach(showReply); scroll(); }

async function post(url, options, shown) {
  retireButtons();
  log.appendChild(shown);
  scroll();
  const res = await fetch(url, Object.assign({ method: 'POST', credentials: 'same-origin' }, options));
  if (!res.ok) { log.appendChild(el('div', 'msg bot', 'ส่งไม่สำเร็จ (' + res.status + ') ลองใหม่อีกครั้งค่ะ')); scroll(); return; }
  const data = await res.json();
  showReplies(data.replies);
}
function send(text, postback, label) {
  return post('chat/api/messages', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: text, postback: postback }) },
              el('div', 'msg me', label || text));
}

async function poll() {
  try {
    const res = await fetch('chat/api/inbox', { credentials: 'same-origin' });
    if (res.ok) { const data = await res.json(); showReplies(data.replies); }
  } catch (e) { /* offline for a moment: try again on the next tick */ }
}
setInterval(poll, 4000);

const box = document.getElementById('text');
function submitText() {
  const text = box.value.trim();
  if (!text) return;
  box.value = '';
  fit();
  send(text, null, null);
}
// Enter sends; Shift+Enter starts a new line (a report is often several lines). Not while composing Thai/IME text.
box.addEventListener('keydown', ev => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); submitText(); }
});
function fit() { box.style.height = 'auto'; box.style.height = Math.min(box.scrollHeight, 160) + 'px'; }
box.addEventListener('input', fit);
document.getElementById('send').addEventListener('submit', ev => { ev.preventDefault(); submitText(); });

// A photo goes through the same engine as one sent on LINE (the conversation decides whether it wanted one).
const photo = document.getElementById('photo');
photo.addEventListener('change', () => {
  const file = photo.files && photo.files[0];
  if (!file) return;
  const shown = el('div', 'msg me media');
  const img = el('img'); img.alt = file.name; shown.appendChild(img);
  const reader = new FileReader(); reader.onload = () => { img.src = reader.result; }; reader.readAsDataURL(file);
  const form = new FormData(); form.append('photo', file);
  photo.value = '';
  post('chat/api/photos', { body: form }, shown);
});
