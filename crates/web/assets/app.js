// Progressive help only: the pages work without it.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); return; }
  // a second tap on a slow connection must not send the form twice
  var b = e.target.querySelector('button[type=submit]');
  if (b) { setTimeout(function () { b.disabled = true; }, 0); }
});

// The ballot: with its pass, the marks go to the API as JSON and the receipt is shown in
// place. A lost connection is tried again (the server makes no second ballot: a repeat is
// answered "already in"); without script the form posts as usual.
document.addEventListener('submit', function (e) {
  var f = e.target, pass = f.querySelector('input[name=pass]');
  if (!pass || e.defaultPrevented) { return; }
  e.preventDefault();
  var kind = f.querySelector('input[name=kind]').value, choices = [], i, el, box;
  if (kind === 'choice') {
    f.querySelectorAll('input[name=chosen]:checked').forEach(function (c) { choices.push(+c.value); });
  } else {
    var p = kind === 'appraisal' ? 'g' : 'm';
    for (i = 0; f.querySelector('[name=' + p + i + ']'); i++) {
      el = f.querySelector('[name=' + p + i + ']:checked');
      if (!el) { done(f, document.documentElement.lang === 'en' ? 'Mark every item.' : '请对每一项作出选择。', true); return; }
      choices.push(kind === 'appraisal' ? +el.value : el.value);
    }
    if (kind === 'election') {
      // the names written in (另选他人) go with the marks
      var w = [];
      for (i = 0; (el = f.querySelector('[name=w' + i + ']')); i++) { if (el.value.trim()) { w.push(el.value.trim()); } }
      choices = {marks: choices, write_ins: w};
    }
  }
  var url = '/api/v1' + f.getAttribute('action'), body = JSON.stringify({pass: pass.value, choices: choices});
  function send(tries) {
    fetch(url, {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'}, body: body})
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (x) {
        var en = document.documentElement.lang === 'en', j = x[1];
        if (!x[0]) { done(f, j.detail || j.title, true); return; }
        if (j.status === 'in') {
          done(f, (en ? 'Ballot cast. Keep this receipt; after the close it finds your ballot in the published list: '
            : '投票成功。请记下回执码,表决结束后可用它在公布的选票中找到自己的选票:') + j.receipt, false, j.receipt);
        } else {
          done(f, en ? 'Your ballot is already in the box; nothing was added.' : '您的选票已在票箱中,未重复计入。', false);
        }
      })
      .catch(function () {
        if (tries > 0) { setTimeout(function () { send(tries - 1); }, 1500); return; }
        done(f, document.documentElement.lang === 'en' ? 'No connection: try again.' : '网络不通,请再试一次。', true);
      });
  }
  send(4);
});

function done(f, text, again, receipt) {
  var p = f.parentNode.querySelector('p.cast-result') || document.createElement('p');
  p.className = 'note cast-result';
  p.setAttribute('role', 'status');
  p.textContent = text;
  if (receipt) { var b = document.createElement('b'); b.className = 'receipt'; b.textContent = receipt; p.textContent = text.slice(0, -receipt.length); p.appendChild(b); }
  f.parentNode.insertBefore(p, f);
  var btn = f.querySelector('button[type=submit]');
  if (again) { if (btn) { setTimeout(function () { btn.disabled = false; }, 10); } } else { f.remove(); }
}
